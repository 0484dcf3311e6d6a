// The measuring loop every case table shares: the rows take turns round by round, then each row's
// allocation is read once its code is optimized.
import { bestRound, bytesPerOp, timePerOp } from './harness.mjs';
import { bytesPerCall, timePerOpAsync } from './io-harness.mjs';

/**
 * Times `impls` in `plan.rounds` interleaved rounds (so a burst of load from elsewhere hits one
 * round, not one row) and returns them as table rows with `time` (best round) and `bytes`.
 *
 * An impl is `{ run }` (sync, timed with mitata), `{ run, isAsync: true }` (each call awaited), or
 * `{ external: true, time }` (timed in another process: `time()` returns its time). `perCall`,
 * when a call does several operations, reports time and bytes per operation. `allocation(impl, i)`
 * gives a row's bytes per call (null: not measured); rows that do not run here have none.
 */
export async function measureInterleaved(impls, plan, { options = plan.options, allocation } = {}) {
  const rounds = impls.map(() => []);
  for (let round = 0; round < plan.rounds; round++) {
    for (const [i, impl] of impls.entries()) {
      // A turn of the event loop between rows: awaiting a sync row's timing never yields, so
      // without it a SIGINT/SIGTERM handler (which stops the bench's children) waits for the end.
      await new Promise((resolve) => setImmediate(resolve));
      let time;
      if (impl.external) time = await impl.time();
      else if (impl.isAsync) time = await timePerOpAsync(impl.run, options);
      else time = await timePerOp(impl.run, options);
      rounds[i].push(time);
    }
  }
  const rows = [];
  for (const [i, impl] of impls.entries()) {
    let bytes = null;
    if (!impl.external && impl.run && allocation) bytes = await allocation(impl, i);
    const per = impl.perCall ?? 1;
    const time = bestRound(rounds[i]);
    rows.push({
      ...impl,
      time: { ...time, median: time.median / per, mean: time.mean / per },
      bytes: bytes === null || bytes === undefined ? bytes : bytes / per,
    });
  }
  return rows;
}

/**
 * An `allocation` for measureInterleaved: sync rows with harness.mjs's bytesPerOp, async rows with
 * bytesPerCall windows starting at `asyncCalls` calls (an awaited call is too slow for 4,096).
 */
export const syncOrAsyncBytes = (asyncCalls) => (impl) =>
  impl.isAsync
    ? bytesPerCall(impl.run, { calls: asyncCalls, isAsync: true })
    : bytesPerOp(impl.run);
