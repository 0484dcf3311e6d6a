// Outcomes of the two backends side by side: each op carried out by nodeBackend and by the
// native backend, sync and async, with errors flattened to what a caller can see of them.

import { loadAddon } from '../src/addon.js';
import { nativeBackend } from '../src/backend-choice.js';
import type { Backend } from '../src/flow.js';
import { nodeBackend } from '../src/node-backend.js';
import type { LinkEntries, Op, Outcome } from '../src/ops.js';

/** The native backend; a test file that needs it fails with the reason when it does not load. */
export function requireNative(): Backend {
  const backend = nativeBackend();
  if (backend) return backend;
  const loaded = loadAddon();
  throw new Error(`the native backend does not load: ${'error' in loaded ? loaded.error : ''}`);
}

/** What a caller sees of an error: its class, message and every errno field node:fs sets. */
export function errorFacts(error: unknown): Record<string, unknown> {
  const e = error as NodeJS.ErrnoException;
  return {
    type: e?.constructor?.name,
    message: e?.message,
    code: e?.code,
    errno: e?.errno,
    syscall: e?.syscall,
    path: e?.path,
  };
}

/** An outcome with its errors (and a links value's target errors) as errorFacts. */
export function outcomeFacts(outcome: Outcome): unknown {
  if (!outcome.ok) return { ok: false, error: errorFacts(outcome.error) };
  const value = outcome.value as Partial<LinkEntries>;
  if (value && Array.isArray(value.targets)) {
    return {
      ok: true,
      value: {
        ...value,
        targets: value.targets.map((t) => (typeof t === 'string' ? t : errorFacts(t))),
      },
    };
  }
  return outcome;
}

export type Style = 'sync' | 'async' | 'batch' | 'async batch';
export const styles: Style[] = ['sync', 'async', 'batch', 'async batch'];

/** The ops' outcomes from `backend` in one call style. */
export async function outcomesOf(
  backend: Backend,
  style: Style,
  ops: readonly Op[],
  root: string,
): Promise<Outcome[]> {
  switch (style) {
    case 'sync':
      return ops.map((op) => backend.perform(op, root));
    case 'async':
      return Promise.all(ops.map((op) => backend.performAsync(op, root)));
    // A backend without batches (nodeBackend) does a batch one op at a time, as the runners do.
    case 'batch':
      return backend.performBatch?.(ops, root) ?? ops.map((op) => backend.perform(op, root));
    case 'async batch':
      return (
        backend.performBatchAsync?.(ops, root) ??
        Promise.all(ops.map((op) => backend.performAsync(op, root)))
      );
  }
}

/** The facts of the ops' outcomes from both backends: node's first, then native's. */
export async function bothBackends(
  native: Backend,
  style: Style,
  ops: readonly Op[],
  root: string,
): Promise<[unknown[], unknown[]]> {
  const node = (await outcomesOf(nodeBackend, style, ops, root)).map(outcomeFacts);
  const ours = (await outcomesOf(native, style, ops, root)).map(outcomeFacts);
  return [node, ours];
}
