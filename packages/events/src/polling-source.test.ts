// Polling, live: a child spawned with known arguments and cwd appears as an exec (with its
// details when enrichment is on) and its exit appears; each through the sink alone and through
// ProcessEvents. A process that lives less than the interval may be missed: not tested (timing).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ProcFS } from '@procmon/procfs';
import { afterAll, describe, expect, it } from 'vitest';
import { AS_NOBODY } from '../../../test-support/as-nobody.js';
import {
  cleanup,
  eventually,
  exited,
  tempFolder,
  trackChild,
} from '../../../test-support/processes.js';
import { EventSourceError } from './errors.js';
import { mountMisses, openPollingSource, POLLING_MISSES } from './polling-source.js';
import { openProcessEvents } from './process-events.js';
import type { ExecEvent, ExitEvent, ProcessEvent } from './types.js';

afterAll(cleanup);

const procfs = new ProcFS();

describe('openPollingSource', () => {
  it('pushes a new child as an exec and its end as an exit, without a code', async () => {
    const pushed: ProcessEvent[] = [];
    const failures: Error[] = [];
    const source = openPollingSource(
      { push: (event) => pushed.push(event), fail: (error) => failures.push(error) },
      { intervalMs: 10, procfs },
    );
    expect(source.kind).toBe('polling');
    const child = trackChild(spawn('sleep', ['30']));
    const pid = child.pid as number;
    const exec = await eventually(
      () => pushed.find((e): e is ExecEvent => e.type === 'exec' && e.tgid === pid),
      'the exec',
    );
    expect(exec).toEqual({
      type: 'exec',
      pid,
      tgid: pid,
      timestampNs: exec.timestampNs,
      source: 'polling',
    });
    expect(typeof exec.timestampNs).toBe('bigint');
    child.kill('SIGKILL');
    await exited(child);
    const exit = await eventually(
      () => pushed.find((e): e is ExitEvent => e.type === 'exit' && e.tgid === pid),
      'the exit',
    );
    expect(exit).toEqual({
      type: 'exit',
      pid,
      tgid: pid,
      timestampNs: exit.timestampNs,
      source: 'polling',
    });
    expect(exit.timestampNs > exec.timestampNs).toBe(true);
    // One exec and one exit for the child, in that order.
    expect(pushed.filter((e) => 'tgid' in e && e.tgid === pid).map((e) => e.type)).toEqual([
      'exec',
      'exit',
    ]);
    source.close();
    source.close();
    expect(failures).toEqual([]);
  });

  it('gives one exec for a process that ran two programs: the second is among its misses', async () => {
    // sh (the spawn's exec) runs sleep 0.3, then execs /bin/sleep in place: same pid, same
    // start time, so no diff of pid lists sees the second exec; it keeps the first program.
    const pushed: ProcessEvent[] = [];
    const source = openPollingSource(
      { push: (event) => pushed.push(event), fail: () => {} },
      { intervalMs: 10, procfs },
    );
    try {
      const child = trackChild(spawn('/bin/sh', ['-c', 'sleep 0.3; exec /bin/sleep 0.3']));
      const pid = child.pid as number;
      await exited(child);
      await eventually(
        () => pushed.find((e) => e.type === 'exit' && e.tgid === pid),
        'the exit of the child',
      );
      expect(pushed.filter((e) => 'tgid' in e && e.tgid === pid).map((e) => e.type)).toEqual([
        'exec',
        'exit',
      ]);
      expect(POLLING_MISSES).toContain(
        "an exec by a process already seen (a shell's `exec`, a child that execs after a scan found it): it keeps the program it was first seen with",
      );
    } finally {
      source.close();
    }
  });

  it('pushes nothing for processes of the initial scan', async () => {
    const child = trackChild(spawn('sleep', ['30']));
    const pid = child.pid as number;
    const pushed: ProcessEvent[] = [];
    const source = openPollingSource(
      { push: (event) => pushed.push(event), fail: () => {} },
      { intervalMs: 10, procfs },
    );
    child.kill('SIGKILL');
    await exited(child);
    await eventually(() => pushed.find((e) => e.type === 'exit' && e.tgid === pid), 'the exit');
    expect(pushed.some((e) => e.type === 'exec' && e.tgid === pid)).toBe(false);
    source.close();
  });

  it('fails with an EventSourceError when /proc itself cannot be read, then stops', async () => {
    // An empty proc root (no processes), removed after the first scan.
    const root = tempFolder('procmon-events-root-');
    const failures: Error[] = [];
    const pushed: ProcessEvent[] = [];
    const source = openPollingSource(
      { push: (event) => pushed.push(event), fail: (error) => failures.push(error) },
      { intervalMs: 5, procfs: new ProcFS({ root }) },
    );
    rmSync(root, { recursive: true });
    const failure = await eventually(() => failures[0], 'the failure');
    expect(failure).toBeInstanceOf(EventSourceError);
    expect(failure).toMatchObject({ source: 'polling', code: 'ENOENT' });
    expect(pushed).toEqual([]);
    // No second failure: the source stopped.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(failures).toHaveLength(1);
    source.close();
  });

  it('refuses a bad interval', () => {
    const sink = { push: () => {}, fail: () => {} };
    expect(() => openPollingSource(sink, { intervalMs: 0 })).toThrow(/intervalMs/);
    expect(() => openPollingSource(sink, { intervalMs: Number.NaN })).toThrow(/intervalMs/);
  });
});

describe('ProcessEvents over polling', () => {
  it('gives a spawned child as an exec with its details, then its exit', async () => {
    const events = openProcessEvents({
      source: 'polling',
      pollIntervalMs: 10,
      enrich: true,
      procfs,
    });
    expect(events.source).toEqual({
      kind: 'polling',
      reason: 'asked for',
      misses: [...POLLING_MISSES],
    });
    const seen: ProcessEvent[] = [];
    const execs: ExecEvent[] = [];
    events.on('event', (event) => seen.push(event));
    events.on('exec', (event) => execs.push(event));
    const cwd = tempFolder('procmon-events-');
    // An argument with a space is one argument (perl ignores the ones after its script).
    const child = trackChild(spawn('perl', ['-e', 'sleep 30', 'known arg'], { cwd }));
    const pid = child.pid as number;
    const exec = await eventually(() => execs.find((e) => e.tgid === pid), 'the exec');
    expect(exec.details).toEqual({
      path: '/usr/bin/perl',
      args: ['perl', '-e', 'sleep 30', 'known arg'],
      cwd,
      ppid: process.pid,
      startTime: exec.details?.startTime,
      uids: [0, 0, 0, 0].map(() => process.getuid?.()),
      comm: 'perl',
      missing: {},
    });
    expect(seen).toContain(exec);
    expect(events.running().find((p) => p.tgid === pid)).toEqual({
      tgid: pid,
      ppid: process.pid,
      startTime: exec.details?.startTime,
    });
    child.kill('SIGKILL');
    await exited(child);
    await eventually(() => seen.find((e) => e.type === 'exit' && e.tgid === pid), 'the exit');
    expect(events.running().some((p) => p.tgid === pid)).toBe(false);
    // Polling never makes the kinds of event it cannot see.
    expect(seen.every((e) => e.type === 'exec' || e.type === 'exit')).toBe(true);
    events.close();
  });

  it('gives the same through an async iterator', async () => {
    const events = openProcessEvents({ source: 'polling', pollIntervalMs: 10, procfs });
    const child = trackChild(spawn('sleep', ['30']));
    const pid = child.pid as number;
    const mine: string[] = [];
    for await (const event of events) {
      if (!('tgid' in event) || event.tgid !== pid) continue;
      mine.push(event.type);
      if (event.type === 'exec') child.kill('SIGKILL');
      if (event.type === 'exit') break;
    }
    expect(mine).toEqual(['exec', 'exit']);
    events.close();
  });
});

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const hiddenPids = fileURLToPath(new URL('../test/hidden-pids.mjs', import.meta.url));
const canHide =
  process.getuid?.() === 0 &&
  spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t proc -o hidepid=invisible proc /proc'])
    .status === 0;

describe('mountMisses', () => {
  it('names nothing for this /proc mounted without hidepid', () => {
    expect(mountMisses(procfs)).toEqual([]);
  });
});

describe.runIf(canHide)('as uid 65534 under hidepid=invisible', () => {
  it("says it misses other users' processes, and indeed does not see a root one", () => {
    expect(existsSync(dist), `${dist} is missing: run pnpm build first`).toBe(true);
    const root = trackChild(spawn('sleep', ['30']));
    const command = `mount -t proc -o hidepid=invisible proc /proc && exec setpriv ${AS_NOBODY.join(' ')} "$0" "$@"`;
    const output = execFileSync(
      'unshare',
      ['-m', 'sh', '-c', command, process.execPath, hiddenPids, dist, String(root.pid)],
      { env: {}, encoding: 'utf8', timeout: 60_000 },
    );
    root.kill('SIGKILL');
    const result = JSON.parse(output);
    expect(result.uid).toBe(65534);
    expect(result.source.kind).toBe('polling');
    expect(result.sawRoot).toBe(false);
    expect(result.source.misses).toEqual([
      ...POLLING_MISSES,
      'processes of other users this one may not trace: /proc is mounted with hidepid=invisible, their pids are not listed',
    ]);
  });
});
