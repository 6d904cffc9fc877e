// `inkling [global flags] <command> [flags]` runs one command; `inkling` alone opens the chat.
// Exit codes: 0 ok, 1 runtime error, 2 usage error. Errors are one line on stderr (INKLING_DEBUG=1 shows stacks).
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import envPaths from 'env-paths';
import { quote, suggest, UsageError } from './commands/args.js';
import { runArgv, printableLine } from './commands/dispatch.js';
import { firstLine } from './engine/first-line.js';
import { onNativeBuild } from './engine/kernels/native-build.js';
import { commandList } from './commands/help.js';
import type { CommandContext, Output } from './commands/types.js';
import { packageRoot, resolveModelsDir, shippedModelsDir } from './engine/store/paths.js';
import type { BackendName } from './engine/types.js';

const BACKENDS: readonly BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

interface Globals {
  backend?: BackendName;
  modelsDir?: string;
  help: boolean;
  version: boolean;
  command?: string;
  argv: string[];
}

function checkBackend(value: string, from: string): BackendName {
  if ((BACKENDS as readonly string[]).includes(value)) return value as BackendName;
  const near = suggest(value, BACKENDS);
  throw new UsageError(`${from} must be one of ${BACKENDS.join(', ')}, got ${quote(value)}` + (near ? ` (did you mean ${near}?)` : ''));
}

/** Global flags may come before or after the command; --help/--version only before it. */
export function parseGlobals(args: readonly string[]): Globals {
  const globals: Globals = { help: false, version: false, argv: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      globals.argv.push(...args.slice(i));
      break;
    }
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--backend' || flag === '--models-dir') {
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
      if (flag === '--backend') globals.backend = checkBackend(value, '--backend');
      else globals.modelsDir = value;
    } else if (globals.command === undefined && (arg === '--help' || arg === '-h')) {
      globals.help = true;
    } else if (globals.command === undefined && (arg === '--version' || arg === '-v')) {
      globals.version = true;
    } else if (globals.command === undefined && arg.startsWith('-')) {
      throw new UsageError(`unknown flag ${quote(arg)} — inkling --help lists commands and flags`);
    } else if (globals.command === undefined) {
      globals.command = arg;
    } else {
      globals.argv.push(arg);
    }
  }
  return globals;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function globalHelp(modelsDir: string): string {
  return [
    'inkling — a terminal playground for small language models',
    '',
    'usage:',
    '  inkling [global flags]                       open the chat',
    '  inkling [global flags] <command> [flags]     run one command (inkling <command> --help for its flags)',
    '',
    'commands:',
    ...commandList('cli'),
    '',
    'global flags:',
    `  --backend ${BACKENDS.join('|')}  force a backend (also INKLING_BACKEND); default: the fastest that loads`,
    '  --models-dir DIR    where models are saved and looked up (also INKLING_MODELS_DIR)',
    '  -h, --help          this help',
    '  -v, --version       the version',
    '',
    `models live in:        ${modelsDir}`,
    `shipped models:        ${shippedModelsDir()}`,
    `per-user data folder:  ${envPaths('inkling', { suffix: '' }).data}`,
    '',
    'examples:',
    '  inkling train --corpus shakespeare --arch gpt --preset nano-cpu --minutes 3 --name s1',
    '  inkling generate --model s1 --prompt "ROMEO:" --seed 1',
  ].join('\n');
}

/** Prints to stdout/stderr and remembers whether an error line was printed (exit 1). */
function consoleOutput(): Output & { failed: boolean } {
  return {
    failed: false,
    line: (text) => void process.stdout.write(text + '\n'),
    write: (text) => void process.stdout.write(text),
    info: (text) => void process.stderr.write(text + '\n'),
    error(text) {
      this.failed = true;
      process.stderr.write(printableLine(text) + '\n');
    },
  };
}

function fail(error: unknown, code: number): never {
  if (process.env.INKLING_DEBUG === '1' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  const message = error instanceof UsageError ? error.message : `error: ${firstLine(error)}`;
  process.stderr.write(printableLine(message) + '\n');
  process.exit(code);
}

const NO_TTY_HINT = 'use the command line instead, e.g. inkling models, inkling generate --model NAME --prompt TEXT; inkling --help lists all';

async function openChat(modelsDir: string, backend: BackendName | undefined): Promise<number> {
  if (!process.stdin.isTTY) {
    process.stderr.write(`inkling: the chat needs an interactive terminal (stdin is not a TTY).\n${NO_TTY_HINT[0]!.toUpperCase()}${NO_TTY_HINT.slice(1)}.\n`);
    return 1;
  }
  await startChat(modelsDir, backend, undefined);
  return 0;
}

async function startChat(modelsDir: string, backend: BackendName | undefined, model: string | undefined): Promise<void> {
  if (!process.stdin.isTTY) throw new Error(`the chat needs an interactive terminal (stdin is not a TTY): ${NO_TTY_HINT}`);
  // Ink renders only the last frame when CI is set (is-in-ci, read once when ink loads); an interactive
  // terminal wants live frames wherever it runs, so clear the flag before the UI is imported. Removed, not
  // set to 'false': supports-color turns colour off whenever a CI variable exists at all.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  const { runChat } = await import('./ui/main.js');
  await runChat({ modelsDir, backend, ...(model ? { model } : {}) });
}

/** Standard input as text, for a prompt piped in. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export async function main(args: readonly string[]): Promise<number> {
  let globals: Globals;
  let modelsDir: string;
  try {
    globals = parseGlobals(args);
    const envBackend = process.env.INKLING_BACKEND;
    if (!globals.backend && envBackend) globals.backend = checkBackend(envBackend, 'INKLING_BACKEND');
    modelsDir = resolveModelsDir(globals.modelsDir);
  } catch (error) {
    fail(error instanceof UsageError ? error : new UsageError(firstLine(error)), 2);
  }
  if (globals.version) {
    process.stdout.write(`inkling ${version()}\n`);
    return 0;
  }
  if (globals.help || (globals.command === 'help' && globals.argv.length === 0)) {
    process.stdout.write(globalHelp(modelsDir) + '\n');
    return 0;
  }
  // A first start with no native addon builds it, which takes seconds: say so before any screen is drawn.
  onNativeBuild((line) => process.stderr.write(`inkling: ${line}\n`));
  if (globals.command === undefined) return openChat(modelsDir, globals.backend);

  const out = consoleOutput();
  // A save killed last time: put the previous checkpoint back and clear leftovers before anything lists.
  const { tidyModelsDir } = await import('./engine/store/registry.js');
  for (const line of await tidyModelsDir(modelsDir)) out.info!(line);
  const controller = new AbortController();
  let backendReady: Promise<void> | null = null;
  const prepareEngine = () =>
    (backendReady ??= (async () => {
      const { initBackend, describeBackend } = await import('./engine/runtime/backend.js');
      out.info!(describeBackend(await initBackend(globals.backend ?? 'auto')));
    })());
  const ctx: CommandContext = {
    modelsDir,
    backend: globals.backend,
    out,
    signal: controller.signal,
    prepareEngine,
    stdin: { isTTY: !!process.stdin.isTTY, read: readStdin },
    openChat: (model) => {
      // The chat has its own Ctrl-C handling (raw mode); the command's SIGINT handler does not apply.
      process.off('SIGINT', onSigint);
      return startChat(modelsDir, globals.backend, model);
    },
  };
  // First Ctrl-C asks the command to stop (training saves first); a second one exits at once.
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('stopping… (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);

  let outcome: Awaited<ReturnType<typeof runArgv>>;
  try {
    outcome = await runArgv(globals.command, globals.argv, ctx, 'cli');
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (outcome === 'usage') return 2;
  return outcome === 'failed' || out.failed ? 1 : 0;
}

/**
 * `npm run inkling` / `npm start` run in the package folder; npm says where the user was in INIT_CWD.
 * Work from there, so `--corpus notes.txt`, `--models-dir` and `/save FILE` mean what the user typed.
 */
function returnToCallersFolder(): void {
  const callers = process.env.INIT_CWD;
  if (!callers || callers === process.cwd()) return;
  try {
    process.chdir(callers);
  } catch {
    // A folder that has gone away: stay where npm put us.
  }
}

/** The process wrapper around main(): exit code, last-resort error lines. Used by bin/inkling.js. */
export function runCli(args: readonly string[] = process.argv.slice(2)): void {
  returnToCallersFolder();
  // `inkling generate ... | head`: a closed pipe is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' ? process.exit(0) : fail(error, 1)));
  process.on('unhandledRejection', (error) => fail(error, 1));
  process.on('uncaughtException', (error) => fail(error, 1));
  main(args).then(
    (code) => {
      process.exitCode = code;
      // A stray handle (a worker, a GPU device) must not keep a finished command alive.
      setTimeout(() => process.exit(code), 2000).unref();
    },
    (error) => fail(error, 1),
  );
}

function isEntry(): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) runCli();
