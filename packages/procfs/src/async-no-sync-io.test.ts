// The async methods never hide sync I/O in their error paths: classifying an empty environ
// reads the process's stat, and that read must be asynchronous too. The backend (the default
// one of this test project, native or node) is watched: an async read must never call its sync
// side. (This test once used a FIFO as the stat, whose open blocked; every read now opens with
// O_NONBLOCK, so a FIFO no longer blocks: see fifo-root.test.ts.)
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, tempRoot } from '../test/helpers.js';
import { defaultBackend } from './backend-choice.js';
import { ProcessGoneError } from './errors.js';
import type { Backend } from './flow.js';
import { ProcFS } from './procfs.js';

afterAll(cleanup);

/** The default backend, with each sync call it is given recorded. */
function watched(): { backend: Backend; syncCalls: string[] } {
  const inner = defaultBackend();
  const syncCalls: string[] = [];
  const backend: Backend = {
    ...inner,
    perform(op, root) {
      syncCalls.push(`${op.kind} ${String(op.path)}`);
      return inner.perform(op, root);
    },
    performBatch(ops, root) {
      for (const op of ops) syncCalls.push(`${op.kind} ${String(op.path)}`);
      return inner.performBatch
        ? inner.performBatch(ops, root)
        : ops.map((op) => inner.perform(op, root));
    },
  };
  return { backend, syncCalls };
}

describe('an async read whose error path reads the stat', () => {
  it('reads it asynchronously: a zombie, told without one sync read', async () => {
    // An empty environ and a zombie's stat: the read is classified as "gone, a zombie".
    const root = tempRoot({ '123/environ': '', '123/stat': '123 (x) Z 1 ' });
    const { backend, syncCalls } = watched();
    const procfs = new ProcFS({ root, backend });
    const error = await procfs.promises.readFile(123, 'environ').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessGoneError);
    expect((error as ProcessGoneError).zombie).toBe(true);
    expect(syncCalls).toEqual([]);
    // The control: the sync call does read through the sync side.
    expect(() => procfs.readFile(123, 'environ')).toThrow(ProcessGoneError);
    expect(syncCalls.length).toBeGreaterThan(0);
  });
});
