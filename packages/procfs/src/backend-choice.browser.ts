// backend-choice.ts in the browser build: neither the native addon nor node:fs exists there, so
// there is no default backend; a ProcFS needs one given (a snapshot's).
import type { BackendChoice } from './backend-choice.js';
import type { Backend } from './flow.js';
import { NodeOnlyError } from './node-only-error.js';

export type { BackendChoice };

const NO_PROC =
  'no /proc in a browser: give ProcFS a backend, e.g. new ProcFS({ backend: snapshotBackend(await readSnapshot(bytes)) }) with @procmon/snapshot/read';

/** No native backend in a browser. */
export function nativeBackend(): Backend | undefined {
  return undefined;
}

/** Throws NodeOnlyError: a browser has no backend of its own. */
export function procfsBackend(): BackendChoice {
  throw new NodeOnlyError('proc', NO_PROC);
}

/** Throws NodeOnlyError: a ProcFS in a browser needs its backend given. */
export function defaultBackend(): Backend {
  throw new NodeOnlyError('proc', NO_PROC);
}
