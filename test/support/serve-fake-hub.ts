// Hand testing of pull: serves test/fixtures/hf/tiny-gpt2 as me/tiny-gpt2 on 127.0.0.1, slowly, until Ctrl-C.
//   npx tsx test/support/serve-fake-hub.ts [BYTES_PER_SECOND]     (default 9000: about 20 s for the tiny model)
//   HF_ENDPOINT=<printed url> npm start                            then /pull me/tiny-gpt2 in the chat
import path from 'node:path';
import { startFakeHub } from './fake-hub.js';

const rate = Number(process.argv[2] ?? 9000);
const hub = await startFakeHub('me/tiny-gpt2', path.resolve('test/fixtures/hf/tiny-gpt2'), { bytesPerSecond: rate });
console.log(`HF_ENDPOINT=${hub.url}  (me/tiny-gpt2 at ${rate} bytes/s; Ctrl-C ends)`);
process.on('SIGINT', () => void hub.close().then(() => process.exit(0)));
