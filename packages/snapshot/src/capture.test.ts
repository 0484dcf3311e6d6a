// The capture's rule for processes that change under it: a process is captured whole or not at
// all. A backend that answers the second read of a stat as the kernel would after an exit (or
// after the pid went to a new process) replays each case at that exact point.

import { spawn } from 'node:child_process';
import { type Backend, nodeBackend, type Op, type Outcome, ProcFS } from '@procmon/procfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, exited, trackChild } from '../../../test-support/processes.js';
import { readSnapshot } from './archive.js';
import { captureSnapshot } from './capture.js';

afterAll(cleanup);

let pid: number;
beforeAll(() => {
  const child = trackChild(spawn('sleep', ['600'], { stdio: 'ignore' }));
  pid = child.pid as number;
  void exited(child);
});

/** node:fs, except that the `n`-th read of `<pid>/stat` gives what `replace` says. */
function secondStatBackend(target: number, replace: (stat: Uint8Array) => Outcome): Backend {
  let reads = 0;
  const watch = (op: Op, outcome: Outcome): Outcome => {
    if (op.kind !== 'read' || op.path !== `${target}/stat` || !outcome.ok) return outcome;
    reads++;
    return reads === 2 ? replace(outcome.value as Uint8Array) : outcome;
  };
  return {
    name: 'second-stat',
    perform: (op, root) => watch(op, nodeBackend.perform(op, root)),
    performAsync: async (op, root) => watch(op, await nodeBackend.performAsync(op, root)),
  };
}

const gone = (): Outcome => ({
  ok: false,
  error: Object.assign(new Error('ENOENT: gone'), { code: 'ENOENT' }),
});

describe('a process that changes during its capture', () => {
  it('is captured whole when nothing changes', async () => {
    const procfs = new ProcFS({
      backend: secondStatBackend(pid, (stat) => ({ ok: true, value: stat })),
    });
    const snapshot = await readSnapshot(await captureSnapshot({ procfs, pids: [pid] }));
    expect(snapshot.manifest.pids).toEqual([pid]);
    expect(snapshot.proc.entries.has(String(pid))).toBe(true);
  });

  it('is left out, and named vanished, when it exits before its last stat', async () => {
    const procfs = new ProcFS({ backend: secondStatBackend(pid, gone) });
    const snapshot = await readSnapshot(await captureSnapshot({ procfs, pids: [pid] }));
    expect(snapshot.manifest.pids).toEqual([]);
    expect(snapshot.manifest.vanished).toEqual([pid]);
    expect(snapshot.proc.entries.has(String(pid))).toBe(false);
  });

  it('is left out when its pid has another start time by its last stat (a reused pid)', async () => {
    const reused = (stat: Uint8Array): Outcome => {
      const text = new TextDecoder().decode(stat);
      const close = text.lastIndexOf(')');
      const fields = text.slice(close + 2).split(' ');
      fields[19] = String(Number(fields[19]) + 1); // field 22, starttime
      return {
        ok: true,
        value: new TextEncoder().encode(`${text.slice(0, close + 2)}${fields.join(' ')}`),
      };
    };
    const procfs = new ProcFS({ backend: secondStatBackend(pid, reused) });
    const snapshot = await readSnapshot(await captureSnapshot({ procfs, pids: [pid] }));
    expect(snapshot.manifest.vanished).toEqual([pid]);
    expect(snapshot.proc.entries.has(String(pid))).toBe(false);
  });
});

describe('bad options', () => {
  it('are TypeErrors naming the option, before any read', async () => {
    await expect(captureSnapshot({ pids: [0] })).rejects.toThrow(
      /pids must be positive whole numbers, got 0/,
    );
    await expect(captureSnapshot({ pids: [1.5] })).rejects.toThrow(TypeError);
    await expect(captureSnapshot({ concurrency: 0 })).rejects.toThrow(
      /concurrency must be a whole number/,
    );
    await expect(captureSnapshot({ redact: [''] })).rejects.toThrow(
      /redaction pattern must be a non-empty string/,
    );
  });
});
