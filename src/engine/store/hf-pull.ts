// `inkling pull MODEL_ID`: the files a GPT-2 needs from a Hugging Face hub repository. The listing comes from
// @huggingface/hub (HF_ENDPOINT, HF_TOKEN); the downloads are plain streamed GETs of its /resolve/ URLs, since the
// library's downloadFile returns a whole Blob (no Range resume, no byte progress). Files land in a hidden staging
// folder (`.NAME.pull.partial`, which the models list skips) that survives an interruption, so a second pull
// resumes; the model appears only when importHfModel renames its finished folder into place.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { listFiles, type ListFileEntry } from '@huggingface/hub';
import { parseHfConfig } from '../models/hf-families.js';
import { HF_FILES } from './hf-folder.js';
import { defaultName, importHfModel, type ImportResult } from './hf-import.js';
import { modelExistsMessage, validateModelName } from './names.js';
import { firstLine } from '../first-line.js';

export interface PullProgress {
  file: string;
  /** Bytes of all files so far (resumed bytes included) and in all. */
  received: number;
  total: number;
  /** Over this run's bytes only; null until measurable. */
  bytesPerSecond: number | null;
  etaSeconds: number | null;
}

export interface PullRequest {
  repo: string;
  modelsDir: string;
  name?: string;
  revision?: string;
  onProgress?: (p: PullProgress) => void;
  signal?: AbortSignal;
  command?: string;
  /** Tests: environment stand-in (HF_ENDPOINT, HF_TOKEN). */
  env?: NodeJS.ProcessEnv;
}

const SHARD = /^model-\d+-of-\d+\.safetensors$/;
const REPO_ID = /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/;

class HubUnreachable extends Error {}

function endpointOf(env: NodeJS.ProcessEnv): string {
  return (env.HF_ENDPOINT || 'https://huggingface.co').replace(/\/+$/, '');
}

function offlineMessage(repo: string, endpoint: string, why: string): string {
  const name = defaultName(repo);
  return `could not reach the Hugging Face hub at ${endpoint} (${why}): elsewhere run huggingface-cli download ${repo} --local-dir ${name}, copy ${name} here, then inkling import ${name}`;
}

/** fetch, with network failures turned into HubUnreachable (a hub error stays an HTTP status). */
function hubFetch(signal?: AbortSignal): typeof fetch {
  return async (input, init) => {
    try {
      return await fetch(input, { ...init, signal });
    } catch (error) {
      if (signal?.aborted) throw new Error('pull stopped');
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new HubUnreachable(cause?.code ?? cause?.message ?? (error as Error).message);
    }
  };
}

/** The files to fetch, or a one-line reason the repository cannot be used. */
function chooseFiles(repo: string, entries: ListFileEntry[]): ListFileEntry[] {
  const byPath = new Map(entries.filter((e) => e.type === 'file').map((e) => [e.path, e]));
  if (!byPath.has(HF_FILES.config)) throw new Error(`${repo} has no config.json: it is not a transformers model repository`);
  if (!byPath.has('tokenizer.json') && !(byPath.has('vocab.json') && byPath.has('merges.txt'))) {
    throw new Error(`${repo} has no tokenizer: it needs tokenizer.json, or vocab.json and merges.txt`);
  }
  if (!byPath.has('model.safetensors') && !byPath.has('model.safetensors.index.json')) {
    throw new Error(`${repo} has no safetensors weights (model.safetensors): Inkling does not read pytorch_model.bin`);
  }
  const wanted = [HF_FILES.config, HF_FILES.generation, HF_FILES.card, ...HF_FILES.tokenizer];
  const shards = byPath.has('model.safetensors') ? ['model.safetensors'] : ['model.safetensors.index.json', ...[...byPath.keys()].filter((p) => SHARD.test(p))];
  return [...wanted, ...shards].map((p) => byPath.get(p)).filter((e): e is ListFileEntry => e !== undefined);
}

async function fileSize(file: string): Promise<number> {
  return (await fs.stat(file).catch(() => null))?.size ?? 0;
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface Download {
  url: string;
  target: string;
  /** The size the hub lists, and the sha256 for LFS files. */
  size: number;
  sha256: string | null;
}

/** One file, resumed from its .part with a Range request; size (and sha256) checked before it is renamed. */
async function download(d: Download, headers: Record<string, string>, fetcher: typeof fetch, onBytes: (n: number) => void): Promise<string | null> {
  const part = `${d.target}.part`;
  if ((await fileSize(d.target)) === d.size) return null;
  let have = await fileSize(part);
  if (have > d.size) {
    await fs.rm(part);
    have = 0;
  }
  let commit: string | null = null;
  if (have < d.size || d.size === 0) {
    const res = await fetcher(d.url, { headers: { ...headers, ...(have > 0 ? { Range: `bytes=${have}-` } : {}) } });
    commit = res.headers.get('x-repo-commit');
    if (res.status === 401 || res.status === 403) throw new Error(`the hub refused ${path.basename(d.target)} (HTTP ${res.status}): set HF_TOKEN to a token that can read it`);
    if (!res.ok || !res.body) throw new Error(`the hub answered HTTP ${res.status} for ${path.basename(d.target)}`);
    // A server that ignores Range sends the whole file again: start over rather than append.
    if (have > 0 && res.status !== 206) have = 0;
    const out = createWriteStream(part, { flags: have > 0 ? 'a' : 'w' });
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
        onBytes(chunk.length);
      }
    } finally {
      await new Promise((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve(undefined))));
    }
  }
  const got = await fileSize(part);
  if (got !== d.size) {
    // A partial answer can be resumed; a file longer than listed is wrong and goes.
    if (got > d.size) await fs.rm(part, { force: true });
    throw new Error(`${path.basename(d.target)} is ${got} bytes, the hub lists ${d.size}${got < d.size ? ': run pull again to resume' : ''}`);
  }
  if (d.sha256 && (await sha256(part)) !== d.sha256) {
    await fs.rm(part, { force: true });
    throw new Error(`${path.basename(d.target)} does not match the hub's sha256: it was deleted, run pull again`);
  }
  await fs.rename(part, d.target);
  return commit;
}

export async function pullHfModel(request: PullRequest): Promise<ImportResult> {
  const { repo, modelsDir } = request;
  if (!REPO_ID.test(repo) || repo.includes('..')) throw new Error(`'${repo}' is not a hub model id like openai-community/gpt2`);
  const env = request.env ?? process.env;
  const endpoint = endpointOf(env);
  const token = env.HF_TOKEN || undefined;
  const revision = request.revision ?? 'main';
  const name = validateModelName(request.name ?? defaultName(repo));
  if (await fs.stat(path.join(modelsDir, name)).catch(() => null)) throw new Error(modelExistsMessage(name, false));
  const fetcher = hubFetch(request.signal);
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  let entries: ListFileEntry[] = [];
  try {
    for await (const e of listFiles({ repo: { type: 'model', name: repo }, revision, hubUrl: endpoint, accessToken: token, fetch: fetcher })) entries.push(e);
  } catch (error) {
    if (error instanceof HubUnreachable) throw new Error(offlineMessage(repo, endpoint, error.message));
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 401 || status === 403) throw new Error(`${repo} needs a token: set HF_TOKEN (the hub answered HTTP ${status})`);
    if (status === 404) throw new Error(`${repo}${request.revision ? ` at revision ${revision}` : ''} was not found on ${endpoint}`);
    throw new Error(`listing ${repo} failed: ${firstLine(error, '')}`);
  }
  const files = chooseFiles(repo, entries);
  const staging = path.join(modelsDir, `.${name}.pull.partial`);
  await fs.mkdir(staging, { recursive: true });
  const url = (p: string) => `${endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${p.split('/').map(encodeURIComponent).join('/')}`;
  const sizeOf = (e: ListFileEntry) => e.lfs?.size ?? e.size;
  const total = files.reduce((n, e) => n + sizeOf(e), 0);
  let received = 0;
  for (const e of files) received += Math.min(sizeOf(e), Math.max(await fileSize(path.join(staging, e.path)), await fileSize(path.join(staging, `${e.path}.part`))));
  const started = Date.now();
  const resumedBytes = received;
  let commit: string | null = null;
  const run = async (e: ListFileEntry) => {
    const got = await download({ url: url(e.path), target: path.join(staging, e.path), size: sizeOf(e), sha256: e.lfs?.oid ?? null }, headers, fetcher, (n) => {
      received += n;
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0.5 ? (received - resumedBytes) / seconds : null;
      request.onProgress?.({ file: e.path, received, total, bytesPerSecond: rate, etaSeconds: rate ? (total - received) / rate : null });
    });
    commit ??= got;
  };
  try {
    // config.json first: an unsupported architecture is refused before any weights are fetched.
    const config = files.find((e) => e.path === HF_FILES.config)!;
    await run(config);
    parseHfConfig(JSON.parse(await fs.readFile(path.join(staging, config.path), 'utf8')) as Record<string, unknown>);
    for (const e of files) if (e !== config) await run(e);
    const index = path.join(staging, 'model.safetensors.index.json');
    if (await fileSize(index)) {
      const listed = Object.values((JSON.parse(await fs.readFile(index, 'utf8')) as { weight_map?: Record<string, string> }).weight_map ?? {});
      const missing = listed.find((shard) => !files.some((e) => e.path === shard));
      if (missing) throw new Error(`${repo} lists shard ${missing} in its index but does not have it`);
    }
  } catch (error) {
    if (error instanceof HubUnreachable) throw new Error(offlineMessage(repo, endpoint, error.message));
    throw error;
  }
  const result = await importHfModel({ dir: staging, modelsDir, name, repo, revision: commit ?? revision, location: `${endpoint}/${repo}`, command: request.command });
  await fs.rm(staging, { recursive: true, force: true });
  return result;
}
