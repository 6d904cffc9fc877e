// Node 20 cannot start a .ts worker: register tsx in the worker, then load the TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./entry.ts');
