// The two backends of @procmon/procfs the native bench compares: the native addon's (when the
// package exports it and it loads) and node:fs's. Also a wrapper that records the ops a call
// makes, so a table can say which system calls procmon did next to the C floor's.
import * as procfsModule from '@procmon/procfs';

const isBackend = (value) =>
  value !== null &&
  typeof value === 'object' &&
  typeof value.perform === 'function' &&
  typeof value.performAsync === 'function';

/**
 * The native Backend, whichever way the package offers it: `nativeBackend` as a Backend value,
 * or as a function returning one (or undefined when the addon cannot load). Returns
 * { backend } or { backend: undefined, why }.
 */
export function loadNativeBackend(mod = procfsModule) {
  const value = mod.nativeBackend;
  if (value === undefined || value === null)
    return {
      why: '@procmon/procfs exports no nativeBackend (not built, or the addon is not loadable)',
    };
  if (isBackend(value)) return { backend: value };
  if (typeof value === 'function') {
    let made;
    try {
      made = value();
    } catch (error) {
      return { why: `nativeBackend() threw: ${error.message}` };
    }
    if (isBackend(made)) return { backend: made };
    return { why: 'nativeBackend() returned no backend (the addon is not loadable)' };
  }
  return { why: `nativeBackend is a ${typeof value}, not a Backend` };
}

/**
 * The backends in table order, native first: { key, label, procfs (a ProcFS on it, or undefined),
 * why (when undefined) }.
 */
export function procmonBackends(mod = procfsModule) {
  const native = loadNativeBackend(mod);
  return [
    {
      key: 'native',
      label: 'procmon native',
      backend: native.backend,
      procfs: native.backend ? new mod.ProcFS({ backend: native.backend }) : undefined,
      why: native.why,
    },
    {
      key: 'node',
      label: 'procmon node',
      backend: mod.nodeBackend,
      procfs: new mod.ProcFS({ backend: mod.nodeBackend }),
    },
  ];
}

const opText = (op) => {
  const where = op.path instanceof Uint8Array ? 'bytes' : op.path.replace(/^\d+\//, '');
  return `${op.kind} ${where}`;
};

/**
 * A ProcFS whose backend records each op it carries out (`kind name`, pid left out), for one
 * untimed call: `ops` is the list, `reset()` empties it.
 */
export function recordingProcFS(backend, mod = procfsModule) {
  const ops = [];
  const note = (op) => ops.push(opText(op));
  const recording = {
    name: `${backend.name} (recording)`,
    perform(op, root) {
      note(op);
      return backend.perform(op, root);
    },
    performAsync(op, root) {
      note(op);
      return backend.performAsync(op, root);
    },
  };
  if (backend.performBatch) {
    recording.performBatch = (ops, root) => {
      for (const op of ops) note(op);
      return backend.performBatch(ops, root);
    };
  }
  if (backend.performBatchAsync) {
    recording.performBatchAsync = (ops, root) => {
      for (const op of ops) note(op);
      return backend.performBatchAsync(ops, root);
    };
  }
  return { procfs: new mod.ProcFS({ backend: recording }), ops, reset: () => (ops.length = 0) };
}
