// The fork storm makes the forks it says it made: counted exactly with --count, its printed
// pids are its children (each one's exit seen by a listener here), and bad arguments are named.
import { beforeAll, describe, expect, it } from 'vitest';
import { startForkstat } from '../src/forkstat.mjs';
import {
  compileForkstorm,
  forkstormArgs,
  parseForkstormOutput,
  runForkstorm,
  startForkstorm,
} from '../src/forkstorm.mjs';

let binary: string;
const isRoot = process.getuid?.() === 0;

beforeAll(() => {
  const compiled = compileForkstorm();
  if (compiled.problem) throw new Error(compiled.problem);
  binary = compiled.binary;
});

describe('forkstorm', () => {
  it('makes exactly --count forks, shared among the workers', () => {
    const result = runForkstorm(binary, { workers: 2, count: 101 });
    expect(result.workers).toBe(2);
    expect(result.forks).toBe(101);
    expect(result.failed).toBe(0);
    expect(result.workerPids).toHaveLength(2);
    expect(result.childPids).toEqual([]);
  });

  it('prints each child pid with --pids, distinct, as many as forks', () => {
    const result = runForkstorm(binary, { workers: 1, count: 30, pids: true, exec: true });
    expect(result.childPids).toHaveLength(30);
    expect(new Set(result.childPids).size).toBe(30);
    expect(result.forks).toBe(30);
  });

  it('counts an exec that fails (a program that exits non-zero) as failed', () => {
    const result = runForkstorm(binary, { workers: 1, count: 3, exec: ['/bin/false'] });
    expect(result.forks).toBe(3);
    expect(result.failed).toBe(3);
  });

  it('runs for a duration when given --seconds, with one worker per CPU by default', async () => {
    const storm = startForkstorm(binary, { seconds: 0.2 });
    const result = await storm.done;
    expect(result.forks).toBeGreaterThan(0);
    expect(result.workers).toBeGreaterThanOrEqual(1);
  });

  it('names a bad argument', () => {
    expect(() => runForkstorm(binary, { count: 0 })).toThrow(/--count needs a positive whole/);
    expect(() => runForkstorm(binary, { count: 2, seconds: 1 })).toThrow(/not both/);
    expect(() => parseForkstormOutput('12\n')).toThrow(/no summary line/);
    expect(() => parseForkstormOutput('x\n{"forks": 1}\n')).toThrow(/not a pid/);
    expect(forkstormArgs({ workers: 1, count: 2, pids: true, exec: ['/bin/sleep', '0'] })).toEqual([
      '--workers',
      '1',
      '--count',
      '2',
      '--pids',
      '--exec',
      '/bin/sleep',
      '0',
    ]);
  });

  it.skipIf(!isRoot)('its printed children are the pids the kernel reports exiting', async () => {
    const forkstat = startForkstat({ events: 'exit' });
    await forkstat.ready;
    const result = await startForkstorm(binary, { workers: 1, count: 25, pids: true }).done;
    const exited = () => new Set(forkstat.output.events.map((event: { pid: number }) => event.pid));
    for (let i = 0; i < 100 && !exited().has(result.childPids.at(-1)); i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const output = await forkstat.stop();
    const pids = new Set(output.events.map((event: { pid: number }) => event.pid));
    for (const pid of result.childPids) expect(pids.has(pid)).toBe(true);
  });
});
