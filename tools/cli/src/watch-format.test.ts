// procmon watch's lines on constructed events: every event type, hostile names and arguments
// (escape sequences, bidi, bytes that are not UTF-8) escaped in text and exact in JSON, the
// wall-clock time from the monotonic timestamp. Times are local: TZ is UTC for this file.
process.env.TZ = 'UTC';

import { PROCESS_EVENT_TYPES, type ProcessEvent } from '@procmon/events';
import { describe, expect, it } from 'vitest';
import {
  type Clocks,
  eventJson,
  eventLine,
  headerLine,
  type LineContext,
  signalName,
  timeText,
  wallClockMs,
} from './watch-format.js';
import type { KnownProcess } from './watch-processes.js';

// 2026-12-08T01:02:03.456Z, when the monotonic clock read 5,000 s.
const clocks: Clocks = {
  wallMs: Date.UTC(2026, 11, 8, 1, 2, 3, 456),
  monotonicNs: 5_000_000_000_000n,
};
/** An event stamped `agoMs` before the clocks were read. */
const at = (agoMs: number) => ({ timestampNs: clocks.monotonicNs - BigInt(agoMs * 1e6) });

const names = new Map([
  [0, 'root'],
  [1000, 'alice'],
  [1001, 'averyveryverylongname'],
  [1002, 'evil\u001b[2J'],
]);
const context = (process?: KnownProcess): LineContext => ({
  process,
  userName: (uid) => names.get(uid),
  clocks,
});

// A terminal title, a screen clear and a fake line; a bidi override; an invalid UTF-8 byte kept
// as U+DCFF by the escape decoding.
const HOSTILE = 'x\u001b]0;pwned\u0007\u001b[2J\nFAKE-LINE';
const BIDI = 'txt\u202eexe.';
const NOT_UTF8 = 'a\udcffb';

const curl: KnownProcess = {
  ppid: 1,
  uid: 1000,
  comm: 'curl',
  path: '/usr/bin/curl',
  args: ['curl', '-s', 'https://example.org/a b'],
};

const columnsOf = (line: string) => line.split(/ +/);

/** The characters of `text` a terminal would act on or show as something else. */
const unsafe = (text: string) =>
  [...text].filter((c) => {
    const code = c.codePointAt(0) as number;
    return (
      code < 0x20 ||
      (code >= 0x7f && code <= 0x9f) ||
      code === 0x202e ||
      (code >= 0xd800 && code <= 0xdfff)
    );
  });

describe('time', () => {
  it('puts the monotonic timestamp on the wall clock', () => {
    expect(wallClockMs(at(1000).timestampNs, clocks)).toBe(clocks.wallMs - 1000);
    expect(timeText(clocks.wallMs - 1000)).toBe('01:02:02.456');
    expect(timeText(Date.UTC(2026, 0, 1, 23, 59, 59, 7))).toBe('23:59:59.007');
  });
});

describe('eventLine', () => {
  it('has a header of the columns', () => {
    expect(columnsOf(headerLine())).toEqual([
      'TIME',
      'EVENT',
      'PID',
      'PPID',
      'USER',
      'PROGRAM',
      'ARGS',
    ]);
  });

  it('shows an exec with the details read: program, user, arguments shell-quoted', () => {
    const event: ProcessEvent = {
      type: 'exec',
      pid: 4242,
      tgid: 4242,
      source: 'connector',
      cpu: 1,
      ...at(0),
      details: { ...curl, uids: [1000, 1000, 1000, 1000], startTime: 99, missing: {} },
    };
    expect(eventLine(event, context(curl))).toBe(
      "01:02:03.456 exec        4242       1 alice    curl             curl -s 'https://example.org/a b'",
    );
  });

  it('says which arguments could not be read, and why', () => {
    const event: ProcessEvent = {
      type: 'exec',
      pid: 7,
      tgid: 7,
      source: 'polling',
      ...at(0),
      details: { missing: { args: 'gone', path: 'gone', cwd: 'gone', stat: 'gone', uids: 'gone' } },
    };
    const line = eventLine(event, context({}));
    expect(columnsOf(line).slice(1, 6)).toEqual(['exec', '7', '-', '-', '-']);
    expect(line.endsWith('(arguments not read: gone)')).toBe(true);
  });

  it('shows a fork as parent→child, the child with its parent’s program', () => {
    const fork: ProcessEvent = {
      type: 'fork',
      parentPid: 100,
      parentTgid: 100,
      childPid: 101,
      childTgid: 101,
      source: 'connector',
      ...at(0),
    };
    expect(columnsOf(eventLine(fork, context({ ...curl, ppid: 100 })))).toEqual([
      '01:02:03.456',
      'fork',
      '101',
      '100',
      'alice',
      'curl',
      '100→101',
    ]);
    // A thread of process 100, whose parent the kernel reports as the event's parent (99).
    const thread = { ...fork, parentPid: 99, parentTgid: 99, childPid: 102, childTgid: 100 };
    const line = eventLine(thread, context(curl));
    expect(columnsOf(line).slice(0, 6)).toEqual([
      '01:02:03.456',
      'fork',
      '100',
      '99',
      'alice',
      'curl',
    ]);
    expect(line.endsWith(' new thread 102')).toBe(true);
  });

  it.each([
    [{ code: 3, status: 3 << 8 }, 'code 3'],
    [{ signal: 9, status: 9 }, 'signal SIGKILL'],
    [{ signal: 11, status: 11 | 0x80 }, 'signal SIGSEGV, core dumped'],
    [{ source: 'polling' as const }, 'code unknown (polling)'],
  ])('shows an exit’s code or signal: %j', (fields, text) => {
    const event: ProcessEvent = {
      type: 'exit',
      pid: 9,
      tgid: 9,
      source: 'connector',
      ...at(0),
      ...fields,
    };
    expect(eventLine(event, context(curl)).endsWith(` ${text}`)).toBe(true);
  });

  it('names a thread’s exit as the thread’s', () => {
    const event: ProcessEvent = {
      type: 'exit',
      pid: 10,
      tgid: 9,
      code: 0,
      source: 'connector',
      ...at(0),
    };
    expect(eventLine(event, context(curl)).endsWith('code 0 (thread 10)')).toBe(true);
  });

  it.each<[ProcessEvent, string]>([
    [
      { type: 'comm', pid: 5, tgid: 5, comm: 'worker', source: 'connector', ...at(0) },
      'comm worker',
    ],
    [
      { type: 'uid', pid: 5, tgid: 5, real: 0, effective: 1000, source: 'connector', ...at(0) },
      'uid 0, effective 1000',
    ],
    [
      { type: 'gid', pid: 5, tgid: 5, real: 4, effective: 4, source: 'connector', ...at(0) },
      'gid 4, effective 4',
    ],
    [{ type: 'sid', pid: 5, tgid: 5, source: 'connector', ...at(0) }, 'new session'],
    [
      {
        type: 'ptrace',
        pid: 5,
        tgid: 5,
        tracerPid: 77,
        tracerTgid: 77,
        source: 'connector',
        ...at(0),
      },
      'traced by 77',
    ],
    [
      {
        type: 'ptrace',
        pid: 5,
        tgid: 5,
        tracerPid: 0,
        tracerTgid: 0,
        source: 'connector',
        ...at(0),
      },
      'tracer detached',
    ],
    [{ type: 'coredump', pid: 5, tgid: 5, source: 'connector', ...at(0) }, 'dumped core'],
  ])('shows %s', (event, text) => {
    const line = eventLine(event, context(curl));
    expect(columnsOf(line).slice(1, 3)).toEqual([event.type, '5']);
    expect(line.endsWith(` ${text}`)).toBe(true);
  });

  it.each<[ProcessEvent, string]>([
    [
      { type: 'lost', reason: 'overrun', source: 'connector', ...at(0) },
      "events lost: the kernel's socket buffer overran (ENOBUFS)",
    ],
    [
      { type: 'lost', reason: 'sequence-gap', count: 3, source: 'connector', ...at(0) },
      "3 events lost: the connector's sequence skipped",
    ],
    [
      { type: 'lost', reason: 'queue-full', count: 120, source: 'connector', ...at(0) },
      '120 events lost: this command fell behind and its queue was full',
    ],
    [
      {
        type: 'resync',
        running: [
          { tgid: 1, ppid: 0, startTime: 1 },
          { tgid: 2, ppid: 1, startTime: 5 },
        ],
        started: [{ tgid: 2, ppid: 1, startTime: 5 }],
        gone: [3, 4, 5],
        source: 'connector',
        ...at(0),
      },
      'picture rebuilt from /proc: 2 running, 1 started and 3 gone while events were lost',
    ],
  ])('says in one line what a %s means', (event, text) => {
    expect(eventLine(event, context())).toBe(`01:02:03.456 ${event.type.padEnd(8)} ${text}`);
  });

  it('escapes hostile names, arguments and user names, and keeps each event on one line', () => {
    const hostile: KnownProcess = {
      ppid: 1,
      uid: 1002,
      comm: HOSTILE.slice(0, 15),
      path: `/tmp/${HOSTILE}`,
      args: [HOSTILE, BIDI, NOT_UTF8],
    };
    const exec: ProcessEvent = {
      type: 'exec',
      pid: 66,
      tgid: 66,
      source: 'connector',
      ...at(0),
      details: { ...hostile, missing: {} },
    };
    const comm: ProcessEvent = {
      type: 'comm',
      pid: 66,
      tgid: 66,
      comm: HOSTILE,
      source: 'connector',
      ...at(0),
    };
    for (const event of [exec, comm]) {
      const line = eventLine(event, context(hostile));
      expect(unsafe(line)).toEqual([]);
      expect(columnsOf(line)[4]).toBe('evil\\x1+');
    }
    const line = eventLine(exec, context(hostile));
    expect(line).toContain("'x\\x1b]0;pwned\\x07\\x1b[2J\\x0aFAKE-LINE'");
    expect(line).toContain("'txt\\u{202e}exe.'");
    expect(line).toContain('a\\xffb');
    // A program with no path is shown by its comm, in brackets: a name it chose.
    const named = eventLine(exec, context({ ...hostile, path: undefined }));
    expect(columnsOf(named)[5]).toBe('[x\\x1b]0;pwned\\x07\\x1b[2J]');
  });

  it('cuts a long user or program name to its column with a +', () => {
    const event: ProcessEvent = {
      type: 'exit',
      pid: 9,
      tgid: 9,
      code: 0,
      source: 'connector',
      ...at(0),
    };
    const line = eventLine(
      event,
      context({ uid: 1001, path: '/opt/a-very-long-program-name-indeed' }),
    );
    expect(columnsOf(line).slice(4, 6)).toEqual(['averyve+', 'a-very-long-pro+']);
  });
});

describe('eventJson', () => {
  const every: ProcessEvent[] = [
    {
      type: 'fork',
      parentPid: 1,
      parentTgid: 1,
      childPid: 2,
      childTgid: 2,
      source: 'connector',
      cpu: 0,
      ...at(1),
    },
    {
      type: 'exec',
      pid: 2,
      tgid: 2,
      source: 'connector',
      ...at(1),
      details: {
        path: `/tmp/${HOSTILE}`,
        args: [HOSTILE, BIDI, NOT_UTF8],
        cwd: '/',
        ppid: 1,
        startTime: 7,
        uids: [0, 0, 0, 0],
        comm: 'x',
        missing: {},
      },
    },
    {
      type: 'exit',
      pid: 2,
      tgid: 2,
      signal: 15,
      status: 15,
      exitSignal: 17,
      source: 'connector',
      ...at(1),
    },
    { type: 'comm', pid: 2, tgid: 2, comm: HOSTILE, source: 'connector', ...at(1) },
    { type: 'uid', pid: 2, tgid: 2, real: 0, effective: 0, source: 'connector', ...at(1) },
    { type: 'gid', pid: 2, tgid: 2, real: 0, effective: 0, source: 'connector', ...at(1) },
    { type: 'sid', pid: 2, tgid: 2, source: 'connector', ...at(1) },
    { type: 'ptrace', pid: 2, tgid: 2, tracerPid: 3, tracerTgid: 3, source: 'connector', ...at(1) },
    { type: 'coredump', pid: 2, tgid: 2, source: 'connector', ...at(1) },
    { type: 'lost', reason: 'overrun', source: 'connector', ...at(1) },
    {
      type: 'resync',
      running: [{ tgid: 1, ppid: 0, startTime: 1 }],
      started: [],
      gone: [2],
      source: 'connector',
      ...at(1),
    },
  ];

  it('covers every event type', () => {
    expect(every.map((event) => event.type).sort()).toEqual([...PROCESS_EVENT_TYPES].sort());
  });

  it.each(every.map((event) => [event.type, event] as const))(
    'gives a %s back exactly, on one line',
    (_, event) => {
      const text = eventJson(event, context(curl));
      expect(text).not.toContain('\n');
      const parsed = JSON.parse(text);
      const { process: known, time, signalName: name, ...rest } = parsed;
      expect(rest).toEqual({ ...event, timestampNs: event.timestampNs.toString() });
      expect(time).toBe('2026-12-08T01:02:03.455Z');
      expect(known).toEqual({ ...curl, user: 'alice' });
      expect(name).toBe(event.type === 'exit' ? 'SIGTERM' : undefined);
    },
  );

  it('breaks no line for any reader: U+2028, U+2029 and NEL are escaped, the strings kept', () => {
    // Python's str.splitlines() (and other Unicode-aware readers) break lines at these too: an
    // argument carrying one split its exec into pieces that are not JSON (measured live: 3 of
    // 4 lines), and a reader that skips bad lines missed the event.
    const forged = '{"type":"exit","pid":1,"tgid":1,"code":0}';
    const args = ['sh', `a\u2028${forged}`, `b\u2029${forged}`, `c\u0085${forged}`];
    const event: ProcessEvent = {
      type: 'exec',
      pid: 9,
      tgid: 9,
      source: 'connector',
      ...at(0),
      details: { args, comm: 'sh\u2028', missing: {} },
    };
    const text = eventJson(event, context({ ...curl, args }));
    // Every code point str.splitlines() breaks at: \n \v \f \r, FS GS RS, NEL, U+2028, U+2029.
    const breaks = [0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029];
    expect([...text].filter((c) => breaks.includes(c.codePointAt(0) as number))).toEqual([]);
    const parsed = JSON.parse(text);
    expect(parsed.details.args).toEqual(args);
    expect(parsed.details.comm).toBe('sh\u2028');
    expect(parsed.process.args).toEqual(args);
  });

  it('leaves the process out when nothing is known of it', () => {
    const parsed = JSON.parse(eventJson(every[6] as ProcessEvent, context(undefined)));
    expect(parsed.process).toBeUndefined();
    expect(parsed.timestampNs).toBe((clocks.monotonicNs - 1_000_000n).toString());
  });
});

describe('signalName', () => {
  it('names signals as kill -l does, and numbers it has no name for', () => {
    expect([signalName(1), signalName(9), signalName(15), signalName(99)]).toEqual([
      'SIGHUP',
      'SIGKILL',
      'SIGTERM',
      '99',
    ]);
  });
});
