// Every read of procmon is written once, as a flow: a generator that yields the primitive reads
// it needs (ops.ts) and gets their outcomes back. A sync runner and an async runner carry the
// reads out, so the two call styles cannot drift apart; a backend decides how (native code or node:fs),
// and a flow that yields a batch lets the backend do the whole batch at once.
//
// A step is one op, a batch of ops (any order, possibly at the same time: a flow that needs an
// order yields two steps), or an external step: work that is not a /proc read (a socket lookup,
// hashing an open file), given in both styles so each runner calls its own.

import type { MachineFacts } from './machine-facts.js';
import { failed, type Op, type OpValues, type Outcome, ok } from './ops.js';

/** Work outside /proc that a flow needs, in both call styles. */
export interface ExternalStep {
  kind: 'external';
  sync: () => unknown;
  async: () => Promise<unknown>;
}

export type Step = Op | readonly Op[] | ExternalStep;

/** A collector written once: yields steps, gets their outcomes, returns a T. */
export type Flow<T> = Generator<Step, T, unknown>;

/** How ops are carried out: with node:fs, or by native code. */
export interface Backend {
  readonly name: string;
  perform(op: Op, root: string): Outcome;
  performAsync(op: Op, root: string): Promise<Outcome>;
  /** Many ops in one call; when absent, the runners perform them one by one. */
  performBatch?(ops: readonly Op[], root: string): Outcome[];
  performBatchAsync?(ops: readonly Op[], root: string): Promise<Outcome[]>;
  /**
   * The machine facts of the machine the data comes from, when that is not the one reading it
   * (a snapshot backend: its manifest). When set, `machineFacts` gives them and reads nothing.
   */
  readonly machineFacts?: MachineFacts | undefined;
}

/** Where and how a flow's ops run. */
export interface RunContext {
  readonly root: string;
  readonly backend: Backend;
}

/** One op: its outcome (the flow decides what an error means). */
export function* perform<K extends Op['kind']>(
  op: Extract<Op, { kind: K }>,
): Flow<Outcome<OpValues[K]>> {
  return (yield op) as Outcome<OpValues[K]>;
}

/** Ops performed together (any order, possibly at once): their outcomes, in the ops' order. */
export function* performAll(ops: readonly Op[]): Flow<Outcome[]> {
  if (ops.length === 0) return [];
  return (yield ops) as Outcome[];
}

/** A flow that reads nothing and gives `value` (a field not asked for, in `all`). */
// biome-ignore lint/correctness/useYield: it reads nothing by design
export function* done<T>(value: T): Flow<T> {
  return value;
}

/** Work outside /proc, in both styles: `sync()` under runSync, `await async()` under runAsync. */
export function* external<T>(sync: () => T, async: () => Promise<T>): Flow<T> {
  const outcome = (yield { kind: 'external', sync, async }) as Outcome<T>;
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/**
 * Runs flows side by side: each round, the next ops of every flow still running are one batch,
 * so a backend that can do many reads at once does a round in one go. External steps run one
 * at a time. Flows are advanced in their order, every round. Returns each flow's result, in
 * order (a tuple of flows gives a tuple of results); the first flow that throws ends them all.
 */
export function all<T extends readonly unknown[]>(
  flows: readonly [...{ [K in keyof T]: Flow<T[K]> }],
): Flow<T>;
export function all<T>(flows: readonly Flow<T>[]): Flow<T[]>;
export function* all(flows: readonly Flow<unknown>[]): Flow<unknown[]> {
  const results = new Array<unknown>(flows.length);
  let running: { index: number; step: Step }[] = [];
  for (let index = 0; index < flows.length; index++) {
    const next = (flows[index] as Flow<unknown>).next();
    if (next.done) results[index] = next.value;
    else running.push({ index, step: next.value });
  }
  while (running.length > 0) {
    const ops: Op[] = [];
    for (const { step } of running) {
      if (isExternal(step)) continue;
      if (isBatch(step)) ops.push(...step);
      else ops.push(step);
    }
    const outcomes = ops.length > 0 ? ((yield ops) as Outcome[]) : [];
    const still: { index: number; step: Step }[] = [];
    let at = 0;
    for (const { index, step } of running) {
      let reply: unknown;
      if (isExternal(step)) reply = yield step;
      else if (isBatch(step)) {
        reply = outcomes.slice(at, at + step.length);
        at += step.length;
      } else reply = outcomes[at++];
      const next = (flows[index] as Flow<unknown>).next(reply);
      if (next.done) results[index] = next.value;
      else still.push({ index, step: next.value });
    }
    running = still;
  }
  return results;
}

/** Runs a flow with synchronous reads. */
export function runSync<T>(flow: Flow<T>, context: RunContext): T {
  let step = flow.next();
  while (!step.done) step = flow.next(performSync(step.value, context));
  return step.value;
}

/** Runs a flow with asynchronous reads: the event loop stays free while they run. */
export async function runAsync<T>(flow: Flow<T>, context: RunContext): Promise<T> {
  let step = flow.next();
  while (!step.done) step = flow.next(await performAsync(step.value, context));
  return step.value;
}

function performSync(step: Step, { root, backend }: RunContext): unknown {
  if (isExternal(step)) {
    try {
      return ok(step.sync());
    } catch (error) {
      return failed(error);
    }
  }
  if (!isBatch(step)) return backend.perform(step, root);
  if (backend.performBatch) return backend.performBatch(step, root);
  return step.map((op) => backend.perform(op, root));
}

// A batch of a whole machine's processes must not open thousands of files at once.
const MAX_IN_FLIGHT = 64;

async function performAsync(step: Step, { root, backend }: RunContext): Promise<unknown> {
  if (isExternal(step)) {
    try {
      return ok(await step.async());
    } catch (error) {
      return failed(error);
    }
  }
  if (!isBatch(step)) return backend.performAsync(step, root);
  if (backend.performBatchAsync) return backend.performBatchAsync(step, root);
  const outcomes = new Array<Outcome>(step.length);
  let next = 0;
  const worker = async () => {
    while (next < step.length) {
      const index = next++;
      outcomes[index] = await backend.performAsync(step[index] as Op, root);
    }
  };
  await Promise.all(Array.from({ length: Math.min(MAX_IN_FLIGHT, step.length) }, worker));
  return outcomes;
}

function isExternal(step: Step): step is ExternalStep {
  return !isBatch(step) && step.kind === 'external';
}

function isBatch(step: Step): step is readonly Op[] {
  return Array.isArray(step);
}
