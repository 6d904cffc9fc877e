// pull and import's work, shared by the CLI (in the foreground) and the chat (in the background, with a panel):
// the progress figures, the run itself, and its one result line or one-line error.
import { formatDuration, formatParams } from './format.js';
import { firstLine } from '../engine/first-line.js';
import { CommandError, type CommandContext, type DownloadRequest } from './types.js';
import type { PullProgress } from '../engine/store/hf-pull.js';

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** The share of the download done, 0..1. */
export function progressShare(p: PullProgress): number {
  return p.total > 0 ? Math.min(1, p.received / p.total) : 1;
}

/** "35% 190.2 / 548.1 MB, 11.8 MB/s, 30s left" */
export function progressFigures(p: PullProgress): string {
  const rate = p.bytesPerSecond === null ? '' : `, ${mb(p.bytesPerSecond)}/s`;
  const eta = p.etaSeconds === null ? '' : `, ${formatDuration(p.etaSeconds)} left`;
  return `${Math.floor(progressShare(p) * 100)}% ${(p.received / 1e6).toFixed(1)} / ${mb(p.total)}${rate}${eta}`;
}

/** "[#######.............] 35% 190.2 / 548.1 MB, 11.8 MB/s, 30s left (model.safetensors)" */
export function progressLine(p: PullProgress): string {
  const filled = Math.round(progressShare(p) * 20);
  return `[${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] ${progressFigures(p)} (${p.file})`;
}

/** What the download is of: "me/gpt2" for a pull, the folder for an import. */
export function downloadSource(request: DownloadRequest): string {
  return request.kind === 'pull' ? request.repo : request.dir;
}

/** The command recorded in the manifest, so the model says how it was made. */
function commandOf(request: DownloadRequest): string {
  const name = request.name ? ` --name ${request.name}` : '';
  if (request.kind === 'import') return `inkling import ${request.dir}${name}`;
  return `inkling pull ${request.repo}${name}${request.revision ? ` --revision ${request.revision}` : ''}`;
}

export interface DownloadJob {
  modelsDir: string;
  /** The chat's result line points to /use; the CLI's to generate and finetune. */
  chat: boolean;
  signal?: AbortSignal;
  onProgress?: (p: PullProgress) => void;
}

/** Pull or import; resolves to the one result line, rejects with a one-line CommandError. */
export async function runDownload(request: DownloadRequest, job: DownloadJob): Promise<string> {
  const next = (name: string) => (job.chat ? `/use ${name} to chat with it` : `inkling generate --model ${name}, or finetune --from ${name}`);
  const source = downloadSource(request);
  try {
    if (request.kind === 'pull') {
      const { pullHfModel } = await import('../engine/store/hf-pull.js');
      const { repo, name, revision } = request;
      const r = await pullHfModel({ repo, name, revision, modelsDir: job.modelsDir, signal: job.signal, command: commandOf(request), onProgress: job.onProgress });
      return `pulled ${repo} as ${r.name} (${r.describe}, ${formatParams(r.params)} parameters): ${next(r.name)}`;
    }
    const { importHfModel } = await import('../engine/store/hf-import.js');
    const r = await importHfModel({ dir: request.dir, modelsDir: job.modelsDir, name: request.name, command: commandOf(request) });
    return `imported ${r.name} (${r.describe}, ${formatParams(r.params)} parameters): ${next(r.name)}`;
  } catch (error) {
    throw new CommandError(`cannot ${request.kind} ${source}: ${firstLine(error)}`);
  }
}

/** Chat: start the pull or import in the background and say so; the panel shows its progress. */
export function startInChat(request: DownloadRequest, chat: NonNullable<CommandContext['chat']>, ctx: CommandContext): void {
  chat.startDownload(request);
  const what = request.kind === 'pull' ? `pulling ${request.repo}` : `importing ${request.dir}`;
  const stop = request.kind === 'pull' ? '/stop cancels it, a later /pull resumes' : 'keep chatting meanwhile';
  ctx.out.line(`${what} in the background: ${stop}`);
}
