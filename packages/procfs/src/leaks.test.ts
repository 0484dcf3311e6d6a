// No descriptor leaks: the number of entries of /proc/self/fd is the same before and after
// 100,000 mixed sync reads and 10,000 mixed async reads, failures included (a missing pid, a
// file past its cap, a link that does not exist). A leak of one descriptor per failing call
// would leave tens of thousands open (or end in EMFILE).
import { describe, expect, it } from 'vitest';
import { expected, fixtureBytes, fixtureProcFS, openFdCount } from '../test/helpers.js';
import { ProcessGoneError, ProcfsError } from './errors.js';

const { node, kthread } = expected;
const absent = 4242;
const procfs = fixtureProcFS();
const stat = fixtureBytes(`${node.pid}/stat`);

type Outcome = 'read' | 'gone' | 'too large' | 'no link';

/** One of four calls by `i`, and what it gave. */
function syncCall(i: number): Outcome {
  try {
    switch (i % 4) {
      case 0: {
        const data = procfs.readFile(node.pid, 'stat');
        if (data.length !== stat.length) throw new Error(`read ${data.length} bytes`);
        return 'read';
      }
      case 1:
        procfs.readFile(absent, 'stat');
        break;
      case 2:
        procfs.readFile(node.pid, 'status', { maxBytes: 100 });
        break;
      default:
        procfs.readLink(kthread.pid, 'exe');
    }
  } catch (error) {
    return outcomeOf(error);
  }
  throw new Error(`call ${i % 4} succeeded where it must fail`);
}

async function asyncCall(i: number): Promise<Outcome> {
  try {
    switch (i % 4) {
      case 0: {
        const data = await procfs.promises.readFile(node.pid, 'stat');
        if (data.length !== stat.length) throw new Error(`read ${data.length} bytes`);
        return 'read';
      }
      case 1:
        await procfs.promises.readFile(absent, 'stat');
        break;
      case 2:
        await procfs.promises.readFile(node.pid, 'status', { maxBytes: 100 });
        break;
      default:
        await procfs.promises.readLink(kthread.pid, 'exe');
    }
  } catch (error) {
    return outcomeOf(error);
  }
  throw new Error(`call ${i % 4} succeeded where it must fail`);
}

function outcomeOf(error: unknown): Outcome {
  if (error instanceof ProcessGoneError) return 'gone';
  if (error instanceof ProcfsError && error.code === 'EFBIG') return 'too large';
  if (error instanceof ProcfsError && error.code === 'ENOENT') return 'no link';
  throw error;
}

function tally(outcomes: Outcome[]): Record<Outcome, number> {
  const counts: Record<Outcome, number> = { read: 0, gone: 0, 'too large': 0, 'no link': 0 };
  for (const outcome of outcomes) counts[outcome]++;
  return counts;
}

// Many thousands of reads: a generous limit so a loaded CI machine does not cut them short.
const LONG_RUN = 120_000;

describe('descriptor leaks', () => {
  it(
    '100,000 mixed sync reads leave the descriptor count unchanged',
    () => {
      for (let i = 0; i < 100; i++) syncCall(i); // warm-up: lazy setup is not a leak
      const before = openFdCount();
      const outcomes: Outcome[] = [];
      for (let i = 0; i < 100_000; i++) outcomes.push(syncCall(i));
      const after = openFdCount();
      expect(tally(outcomes)).toEqual({
        read: 25_000,
        gone: 25_000,
        'too large': 25_000,
        'no link': 25_000,
      });
      expect(after).toBe(before);
    },
    LONG_RUN,
  );

  it(
    '10,000 mixed async reads leave the descriptor count unchanged',
    async () => {
      for (let i = 0; i < 100; i++) await asyncCall(i);
      const before = openFdCount();
      const outcomes: Outcome[] = [];
      for (let batch = 0; batch < 100; batch++) {
        const calls = Array.from({ length: 100 }, (_, i) => asyncCall(batch * 100 + i));
        outcomes.push(...(await Promise.all(calls)));
      }
      const after = openFdCount();
      expect(tally(outcomes)).toEqual({
        read: 2_500,
        gone: 2_500,
        'too large': 2_500,
        'no link': 2_500,
      });
      expect(after).toBe(before);
    },
    LONG_RUN,
  );
});
