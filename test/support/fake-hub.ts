// A Hugging Face hub on 127.0.0.1 for pull tests: the tree API @huggingface/hub lists files with, and /resolve/
// downloads with Range support, serving a fixture folder. Faults are switched on per test.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface FakeHubOptions {
  /** Cut the connection after this many bytes of this file, the first time it is asked for. */
  cutOnce?: { file: string; after: number };
  /** Send this file short (with a matching content-length), every time. */
  truncate?: { file: string; bytes: number };
  /** Flip a byte of this file (same size): the sha256 check must catch it. */
  corrupt?: string;
  /** List this file with a wrong size. */
  wrongSize?: { file: string; size: number };
  /** Leave these files out of the listing. */
  hide?: string[];
  /** Extra files served (e.g. README.md). */
  extra?: Record<string, string>;
  /** Answer every request with this status. */
  status?: number;
  /** Send this many bytes of this file, then hold the rest until release() (a download caught half way). */
  hold?: { file: string; after: number };
  /** Send files at about this rate (hand testing: a download that takes a while). */
  bytesPerSecond?: number;
}

export interface FakeHub {
  url: string;
  requests: { url: string; range?: string; auth?: string }[];
  options: FakeHubOptions;
  /** Resolves once a held file has sent its first bytes. */
  held: Promise<void>;
  /** Send the rest of a held file. */
  release(): void;
  close(): Promise<void>;
}

export const COMMIT = 'a'.repeat(40);

export async function startFakeHub(repo: string, folder: string, options: FakeHubOptions = {}): Promise<FakeHub> {
  const files = new Map<string, Buffer>();
  for (const f of readdirSync(folder)) if (f !== 'reference.json') files.set(f, readFileSync(path.join(folder, f)));
  for (const [f, text] of Object.entries(options.extra ?? {})) files.set(f, Buffer.from(text));
  const requests: FakeHub['requests'] = [];
  let cut = false;
  let reached!: () => void;
  const held = new Promise<void>((resolve) => (reached = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(req.url ?? '');
    requests.push({ url, range: req.headers.range, auth: req.headers.authorization });
    if (options.status) {
      res.writeHead(options.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'nope' }));
      return;
    }
    if (url.startsWith(`/api/models/${repo}/tree/`)) {
      const list = [...files]
        .filter(([f]) => !options.hide?.includes(f))
        .map(([f, bytes]) => {
          const size = options.wrongSize?.file === f ? options.wrongSize.size : bytes.length;
          const lfs = f.endsWith('.safetensors') ? { oid: createHash('sha256').update(bytes).digest('hex'), size, pointerSize: 134 } : undefined;
          return { type: 'file', path: f, size, oid: createHash('sha1').update(bytes).digest('hex'), ...(lfs ? { lfs } : {}) };
        });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list));
      return;
    }
    const prefix = `/${repo}/resolve/`;
    const file = url.startsWith(prefix) ? url.slice(prefix.length).split('/').slice(1).join('/') : '';
    let bytes = files.get(file);
    if (!bytes) {
      res.writeHead(404).end('not found');
      return;
    }
    if (options.corrupt === file) {
      bytes = Buffer.from(bytes);
      bytes[bytes.length - 1] ^= 0xff;
    }
    if (options.truncate?.file === file) bytes = bytes.subarray(0, options.truncate.bytes);
    const from = Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
    const body = bytes.subarray(from);
    res.writeHead(from > 0 ? 206 : 200, { 'content-length': body.length, 'x-repo-commit': COMMIT });
    if (options.cutOnce?.file === file && !cut) {
      cut = true;
      res.write(body.subarray(0, options.cutOnce.after), () => res.destroy());
      return;
    }
    if (options.hold?.file === file && from < options.hold.after) {
      const at = options.hold.after - from;
      res.write(body.subarray(0, at), () => reached());
      void released.then(() => res.end(body.subarray(at)));
      return;
    }
    if (options.bytesPerSecond) {
      const chunk = Math.max(1, Math.round(options.bytesPerSecond / 10));
      let at = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        res.write(body.subarray(at, at + chunk));
        at += chunk;
        if (at >= body.length) {
          clearInterval(timer);
          res.end();
        }
      }, 100);
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    options,
    held,
    release,
    close: () => {
      release();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
