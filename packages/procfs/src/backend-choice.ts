// Which backend a ProcFS reads with when its caller names none: the native read core when it
// loads, else node:fs; PROCMON_BACKEND=node|native forces one. procfsBackend() says which, and
// why, so a slow run can be explained.
import { relative } from 'node:path';
import { loadAddon, PACKAGE_ROOT } from './addon.js';
import type { Backend } from './flow.js';
import { createNativeBackend } from './native-backend.js';
import { nodeBackend } from './node-backend.js';

/** The backend the default ProcFS uses, and why. */
export interface BackendChoice {
  name: 'native' | 'node';
  reason: string;
}

let native: Backend | undefined;

/** The native backend, or undefined when the addon cannot be loaded (procfsBackend() says why). */
export function nativeBackend(): Backend | undefined {
  const loaded = loadAddon();
  if ('error' in loaded) return undefined;
  native ??= createNativeBackend(loaded.addon);
  return native;
}

/**
 * Which backend `new ProcFS()` uses, and why. Throws an Error saying why when
 * PROCMON_BACKEND=native and the addon cannot be loaded, or PROCMON_BACKEND has another value.
 */
export function procfsBackend(): BackendChoice {
  return choose().choice;
}

/** The backend of a ProcFS made without one (see procfsBackend). */
export function defaultBackend(): Backend {
  return choose().backend;
}

function choose(): { choice: BackendChoice; backend: Backend } {
  const forced = process.env.PROCMON_BACKEND;
  if (forced !== undefined && forced !== '' && forced !== 'node' && forced !== 'native') {
    throw new Error(`PROCMON_BACKEND must be node or native, not ${JSON.stringify(forced)}`);
  }
  if (forced === 'node') {
    return { choice: { name: 'node', reason: 'PROCMON_BACKEND=node' }, backend: nodeBackend };
  }
  const loaded = loadAddon();
  if ('error' in loaded) {
    if (forced === 'native') {
      throw new Error(
        `PROCMON_BACKEND=native, but the native backend is unavailable: ${loaded.error}`,
      );
    }
    return {
      choice: { name: 'node', reason: `${loaded.error}; reading with node:fs` },
      backend: nodeBackend,
    };
  }
  const from = `native addon loaded from ${relative(PACKAGE_ROOT, loaded.file)}`;
  return {
    choice: {
      name: 'native',
      reason: forced === 'native' ? `PROCMON_BACKEND=native; ${from}` : from,
    },
    backend: nativeBackend() as Backend,
  };
}
