// node-backend.ts in the browser build: node:fs is not there, so each op throws NodeOnlyError.
import type { Backend } from './flow.js';
import { NodeOnlyError } from './node-only-error.js';

const unavailable = () =>
  new NodeOnlyError(
    'node-fs',
    'nodeBackend reads with node:fs, which a browser does not have: give ProcFS another backend, e.g. snapshotBackend(...) from @procmon/snapshot/read',
  );

/** node:fs is not in a browser: every op throws NodeOnlyError. */
export const nodeBackend: Backend = {
  name: 'node',
  perform() {
    throw unavailable();
  },
  performAsync() {
    return Promise.reject(unavailable());
  },
};
