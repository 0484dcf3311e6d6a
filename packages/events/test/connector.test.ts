// The proc connector source, live, as root: the events of children spawned here, in order and
// with the facts known here (pids, exit code, killing signal, new name); an overrun provoked with
// a tiny receive buffer; and as uid 65534, EPERM.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { AS_NOBODY, canRunAsNobody } from '../../../test-support/as-nobody.js';
import { cleanup, eventually, exited, trackChild } from '../../../test-support/processes.js';
import { openConnectorSource } from '../src/connector/connector-source.js';
import { EventSourceError } from '../src/errors.js';
import type { EventSink } from '../src/source.js';
import type { ProcessEvent } from '../src/types.js';

const isRoot = process.getuid?.() === 0;
const PYTHON = '/usr/bin/python3';

afterEach(cleanup);

interface Recording extends EventSink {
  events: ProcessEvent[];
  failures: Error[];
}

function recording(): Recording {
  const events: ProcessEvent[] = [];
  const failures: Error[] = [];
  return {
    events,
    failures,
    push: (event) => events.push(event),
    fail: (error) => failures.push(error),
  };
}

/** The events that name `pid`: as the child of a fork, or as the process. */
function eventsOf(events: ProcessEvent[], pid: number): ProcessEvent[] {
  return events.filter((event) =>
    event.type === 'fork' ? event.childTgid === pid : 'tgid' in event && event.tgid === pid,
  );
}

describe.runIf(isRoot)('the proc connector source (root)', () => {
  test("a child's fork, exec, comm change and exit with code 3 arrive in order", async () => {
    const sink = recording();
    const source = openConnectorSource(sink);
    try {
      const script =
        "import ctypes, sys; ctypes.CDLL(None).prctl(15, b'evt-comm-test', 0, 0, 0); sys.exit(3)";
      const child = trackChild(spawn(PYTHON, ['-c', script]));
      await exited(child);
      expect(child.exitCode).toBe(3);
      const pid = child.pid as number;
      const mine = await eventually(() => {
        const found = eventsOf(sink.events, pid);
        return found.some((event) => event.type === 'exit') ? found : undefined;
      }, `the exit of ${pid}`);
      const fork = mine.find((event) => event.type === 'fork');
      expect(fork).toMatchObject({
        source: 'connector',
        parentTgid: process.pid,
        childPid: pid,
        childTgid: pid,
      });
      expect(mine.filter((event) => event.type === 'exec')).toMatchObject([{ pid, tgid: pid }]);
      expect(mine.filter((event) => event.type === 'comm')).toMatchObject([
        { pid, tgid: pid, comm: 'evt-comm-test' },
      ]);
      const exits = mine.filter((event) => event.type === 'exit');
      expect(exits).toMatchObject([
        { pid, tgid: pid, code: 3, status: 3 << 8, exitSignal: 17, parentTgid: process.pid },
      ]);
      expect(exits[0]).not.toHaveProperty('signal');
      expect(mine.map((event) => event.type)).toEqual(['fork', 'exec', 'comm', 'exit']);
      // The kernel's timestamps are CLOCK_MONOTONIC, the clock of hrtime, and go up in that order.
      const times = mine.map((event) => event.timestampNs);
      expect([...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(times);
      expect(times[3]).toBeLessThanOrEqual(process.hrtime.bigint());
      expect(sink.failures).toEqual([]);
      expect(source.malformed).toBe(0);
    } finally {
      source.close();
    }
  });

  test('a child killed by SIGKILL exits with signal 9 and no code', async () => {
    const sink = recording();
    const source = openConnectorSource(sink);
    try {
      const child = trackChild(spawn('sleep', ['60']));
      const pid = child.pid as number;
      await eventually(
        () => eventsOf(sink.events, pid).find((event) => event.type === 'exec'),
        'its exec',
      );
      child.kill('SIGKILL');
      await exited(child);
      const exit = await eventually(
        () => eventsOf(sink.events, pid).find((event) => event.type === 'exit'),
        `the exit of ${pid}`,
      );
      expect(exit).toMatchObject({ type: 'exit', pid, tgid: pid, signal: 9, status: 9 });
      expect(exit).not.toHaveProperty('code');
    } finally {
      source.close();
    }
  });

  test('close twice is fine, and nothing is pushed after close', async () => {
    const sink = recording();
    const source = openConnectorSource(sink);
    source.close();
    source.close();
    const count = sink.events.length;
    const child = trackChild(spawn('/bin/true'));
    await exited(child);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sink.events.length).toBe(count);
    expect(sink.failures).toEqual([]);
  });

  test('in normal running, no sequence gap is reported', async () => {
    const sink = recording();
    const source = openConnectorSource(sink);
    try {
      const burst = trackChild(
        spawn('sh', ['-c', 'for i in $(seq 200); do /bin/true; done'], { stdio: 'ignore' }),
      );
      await exited(burst);
      const pid = burst.pid as number;
      await eventually(
        () => eventsOf(sink.events, pid).find((event) => event.type === 'exit'),
        'its exit',
      );
      expect(sink.events.filter((event) => event.type === 'exec').length).toBeGreaterThanOrEqual(
        201,
      );
      expect(sink.events.filter((event) => event.type === 'lost')).toEqual([]);
    } finally {
      source.close();
    }
  });

  test('a 1-byte receive buffer under a fork storm on both cores gives a lost event', async () => {
    const sink = recording();
    const source = openConnectorSource(sink, { receiveBufferBytes: 1 });
    try {
      const storm = 'for i in $(seq 400); do /bin/true & done; wait';
      const storms = [0, 1].map(() => trackChild(spawn('sh', ['-c', storm], { stdio: 'ignore' })));
      await Promise.all(storms.map(exited));
      const lost = await eventually(
        () => sink.events.find((event) => event.type === 'lost'),
        'a lost event',
      );
      expect(['overrun', 'sequence-gap']).toContain(lost.type === 'lost' && lost.reason);
      expect(sink.events.some((event) => event.type === 'lost' && event.reason === 'overrun')).toBe(
        true,
      );
    } finally {
      source.close();
    }
  });

  test('a bad receiveBufferBytes is a TypeError naming it', () => {
    expect(() => openConnectorSource(recording(), { receiveBufferBytes: -1 })).toThrow(
      /receiveBufferBytes/,
    );
  });
});

describe.runIf(canRunAsNobody)('without CAP_NET_ADMIN', () => {
  test('uid 65534 gets EventSourceError EPERM from the connector source', () => {
    const script = fileURLToPath(new URL('./unprivileged-connector.mjs', import.meta.url));
    const run = spawnSync('setpriv', [...AS_NOBODY, process.execPath, script], {
      encoding: 'utf8',
      timeout: 60_000,
      killSignal: 'SIGKILL',
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({
      uid: 65534,
      name: 'EventSourceError',
      code: 'EPERM',
      source: 'connector',
      message: expect.stringMatching(/CAP_NET_ADMIN/),
    });
    expect(new EventSourceError('x', 'connector', 'EPERM').code).toBe('EPERM');
  });
});
