// The tfjs-layers export in a real browser: headless Chromium loads it with tf.loadLayersModel from a page
// served on 127.0.0.1 and sends back its logits, which must equal Inkling's to 1e-5. Skips without Chromium
// (Debian's `chromium` package; .ci/run installs it).
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from '#test/support/models.js';
import { useTempDir } from '#test/support/temp.js';
import { maxAbsDiff } from '#test/support/training.js';
import { createModel } from '../../src/engine/models/index.js';
import type { LoadedModel } from '../../src/engine/store/checkpoint.js';
import { exportModel } from '../../src/engine/store/export/index.js';
import type { Manifest, ModelConfig } from '../../src/engine/types.js';

const tempDir = useTempDir();
const root = path.resolve(import.meta.dirname, '../..');
const chromium = ['chromium', 'chromium-browser'].find((bin) => spawnSync('which', [bin]).status === 0);
const IDS = [[1, 5, 22, 0, 3, 3, 9], [4, 4, 17, 2, 8, 11, 6]];

// The page: tfjs from node_modules, the cpu backend (exact float32, no GPU here), the logits posted back.
const PAGE = `<!doctype html><meta charset="utf-8"><script src="/tf.min.js"></script><script>
(async () => {
  try {
    await tf.setBackend('cpu');
    const model = await tf.loadLayersModel('/model/model.json');
    const logits = model.predict(tf.tensor2d(${JSON.stringify(IDS)}));
    await fetch('/result', { method: 'POST', body: JSON.stringify({ shape: logits.shape, values: Array.from(await logits.data()) }) });
  } catch (error) {
    await fetch('/result', { method: 'POST', body: JSON.stringify({ error: String(error) }) });
  }
})();
</script>`;

function serve(modelDir: string, onResult: (body: string) => void): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/result') {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => (res.end('ok'), onResult(body)));
      return;
    }
    const file =
      req.url === '/' ? null : req.url === '/tf.min.js' ? path.join(root, 'node_modules/@tensorflow/tfjs/dist/tf.min.js') : req.url?.startsWith('/model/') ? path.join(modelDir, path.basename(req.url)) : undefined;
    if (file === null) return void res.end(PAGE);
    if (!file || !existsSync(file)) return void ((res.statusCode = 404), res.end());
    res.setHeader('content-type', file.endsWith('.js') ? 'text/javascript' : file.endsWith('.json') ? 'application/json' : 'application/octet-stream');
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe.skipIf(!chromium)('tfjs-layers export in headless Chromium', () => {
  let server: Server | null = null;
  beforeAll(useTestBackend);
  afterAll(() => server?.close());

  it('loads with tf.loadLayersModel in a web page and gives the same logits as Inkling (1e-5)', async () => {
    const config: ModelConfig = { arch: 'lstm', vocabSize: 23, embedding: 8, hidden: 12, layers: 2, dropout: 0 };
    const model = createModel(config, 7);
    const loaded = { name: 'm', dir: '/nonexistent', manifest: { arch: 'lstm', config } as Manifest, model,
      tokenizer: { toJSON: () => ({ kind: 'char' }) }, dispose: () => model.dispose() } as unknown as LoadedModel;
    const dir = path.join(tempDir(), 'web');
    await exportModel(loaded, 'tfjs-layers', dir);
    const ours = tf.tidy(() => model.apply(tf.tensor2d(IDS, [2, 7], 'int32'), false));
    const expected = await ours.data();
    ours.dispose();
    loaded.dispose();

    let resolveResult!: (body: string) => void;
    const result = new Promise<string>((resolve) => (resolveResult = resolve));
    server = await serve(dir, resolveResult);
    const { port } = server.address() as { port: number };
    const browser = spawn(chromium!, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', `--user-data-dir=${tempDir('inkling-chromium-')}`, `http://127.0.0.1:${port}/`,
    ], { stdio: 'ignore', detached: true });
    const exited = new Promise<void>((resolve) => browser.once('exit', () => resolve()));
    try {
      const body = JSON.parse(await result) as { shape?: number[]; values?: number[]; error?: string };
      expect(body.error).toBeUndefined();
      expect(body.shape).toEqual([2, 7, 23]);
      expect(maxAbsDiff(expected, body.values!)).toBeLessThan(1e-5);
    } finally {
      // The whole process group: Chromium's helpers would otherwise go on writing into the profile folder
      // while it is being removed.
      try {
        process.kill(-browser.pid!, 'SIGKILL');
      } catch {
        browser.kill('SIGKILL');
      }
      await exited;
    }
  }, 120_000);
});
