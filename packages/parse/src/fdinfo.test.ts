import { describe, expect, it } from 'vitest';
import { fixtures, latin1Text, parseErrorOf } from '../test/helpers.js';
import { type Fdinfo, parseFdinfo } from './fdinfo.js';
import { openFlagNames } from './open-flags.js';

const fixture = fixtures('fdinfo');

// The regular-*, eventfd-*, inotify-* and epoll-* files come from test/fdinfo-capture.py, which
// opens each descriptor with known flags; the expected values are read from the files by hand.
describe('parseFdinfo on real captures', () => {
  const cases: [string, Fdinfo][] = [
    [
      // `cat /proc/self/fdinfo/0` with stdin from /dev/null: O_RDONLY, plus O_LARGEFILE.
      'self-stdin',
      {
        pos: 0n,
        flags: 0o100000,
        flagNames: ['O_RDONLY', 'O_LARGEFILE'],
        unknownFlags: 0,
        mntId: 23,
        ino: 3n,
        extra: [],
      },
    ],
    [
      // O_WRONLY|O_APPEND|O_NONBLOCK|O_CLOEXEC, 4 bytes appended to a 10-byte file.
      'regular-wronly-append-nonblock-cloexec',
      {
        pos: 14n,
        flags: 0o2106001,
        flagNames: ['O_WRONLY', 'O_APPEND', 'O_NONBLOCK', 'O_LARGEFILE', 'O_CLOEXEC'],
        unknownFlags: 0,
        mntId: 26,
        ino: 2147822n,
        extra: [],
      },
    ],
    [
      // O_RDWR (and Python's O_CLOEXEC), lseek to 3.
      'regular-rdwr-pos-3',
      {
        pos: 3n,
        flags: 0o2100002,
        flagNames: ['O_RDWR', 'O_LARGEFILE', 'O_CLOEXEC'],
        unknownFlags: 0,
        mntId: 26,
        ino: 2147822n,
        extra: [],
      },
    ],
    [
      // eventfd(5, EFD_CLOEXEC): the count 5 in the extra lines, as text.
      'eventfd-count-5',
      {
        pos: 0n,
        flags: 0o2000002,
        flagNames: ['O_RDWR', 'O_CLOEXEC'],
        unknownFlags: 0,
        mntId: 17,
        ino: 1038n,
        extra: [
          { key: 'eventfd-count', value: '5' },
          { key: 'eventfd-id', value: '7' },
          { key: 'eventfd-semaphore', value: '0' },
        ],
      },
    ],
    [
      // inotify_init1(IN_CLOEXEC|IN_NONBLOCK), one watch with mask 0x300.
      'inotify-one-watch',
      {
        pos: 0n,
        flags: 0o2004000,
        flagNames: ['O_RDONLY', 'O_NONBLOCK', 'O_CLOEXEC'],
        unknownFlags: 0,
        mntId: 17,
        ino: 1038n,
        extra: [
          {
            key: 'inotify wd',
            value:
              '1 ino:20c5ed sdev:fe00000 mask:300 ignored_mask:0 fhandle-bytes:8 fhandle-type:1 f_handle:edc52000ef469eb4',
          },
        ],
      },
    ],
    [
      // An epoll watching fd 5 (the eventfd): its target line kept raw.
      'epoll-one-target',
      {
        pos: 0n,
        flags: 0o2000002,
        flagNames: ['O_RDWR', 'O_CLOEXEC'],
        unknownFlags: 0,
        mntId: 17,
        ino: 1038n,
        extra: [
          { key: 'tfd', value: '5 events:       19 data:                5  pos:0 ino:40e sdev:10' },
        ],
      },
    ],
  ];
  for (const [name, expected] of cases) {
    it(`reads ${name}`, () => {
      expect(parseFdinfo(fixture(name))).toEqual(expected);
      expect(parseFdinfo(latin1Text(fixture(name)))).toEqual(expected);
    });
  }
});

describe('parseFdinfo on hand-written files', () => {
  it('reads a Linux 3.10 file: only pos and flags', () => {
    const info = parseFdinfo(fixture('crafted-linux-3.10-pos-flags-only'));
    expect(info).toEqual({
      pos: 0n,
      flags: 0o100002,
      flagNames: ['O_RDWR', 'O_LARGEFILE'],
      unknownFlags: 0,
      extra: [],
    });
    expect(info).not.toHaveProperty('mntId');
    expect(info).not.toHaveProperty('ino');
  });

  it('reads a timerfd, whose keys hold spaces', () => {
    expect(parseFdinfo(fixture('crafted-timerfd')).extra).toEqual([
      { key: 'clockid', value: '1' },
      { key: 'ticks', value: '0' },
      { key: 'settime flags', value: '01' },
      { key: 'it_value', value: '(4, 999912841)' },
      { key: 'it_interval', value: '(5, 0)' },
    ]);
  });

  it('reads the extremes: the lowest signed 64-bit pos and the highest inode', () => {
    const info = parseFdinfo(fixture('crafted-extreme-pos-ino'));
    expect(info.pos).toBe(-(2n ** 63n));
    expect(info.ino).toBe(2n ** 64n - 1n);
  });

  it('keeps a line without a colon whole', () => {
    expect(parseFdinfo('pos:\t0\nflags:\t0\n  op=1, task_works=0\n').extra).toEqual([
      { key: '', value: '  op=1, task_works=0' },
    ]);
  });
});

describe('openFlagNames', () => {
  it('names O_SYNC and O_TMPFILE only with all their bits, and keeps unnamed bits', () => {
    expect(openFlagNames(0o4010000).names).toEqual(['O_RDONLY', 'O_SYNC']);
    expect(openFlagNames(0o10000).names).toEqual(['O_RDONLY', 'O_DSYNC']);
    expect(openFlagNames(0o20200002).names).toEqual(['O_RDWR', 'O_TMPFILE']);
    expect(openFlagNames(0o200000).names).toEqual(['O_RDONLY', 'O_DIRECTORY']);
    expect(openFlagNames(0o10000000).names).toEqual(['O_RDONLY', 'O_PATH']);
    expect(openFlagNames(0o3)).toEqual({ names: [], unknown: 0o3 });
    expect(openFlagNames(0x8000_0001)).toEqual({ names: ['O_WRONLY'], unknown: 0x8000_0000 });
  });
});

describe('parseFdinfo on malformed input', () => {
  it('names the line and what is wrong', () => {
    const cases: [string, string][] = [
      ['', 'the line pos is missing'],
      ['pos:\t0\n', 'the line flags is missing'],
      ['flags:\t02\n', 'the line pos is missing'],
      ['pos:\tx\nflags:\t0\n', 'line 1 (pos): not a decimal number'],
      ['pos:\t\nflags:\t0\n', 'line 1 (pos): not a decimal number'],
      ['pos:\t9223372036854775808\nflags:\t0\n', 'line 1 (pos): past a signed 64-bit number'],
      ['pos:\t-9223372036854775809\nflags:\t0\n', 'line 1 (pos): past a signed 64-bit number'],
      ['pos:\t0\nflags:\t08\n', 'line 2 (flags): not an octal number'],
      ['pos:\t0\nflags:\t\n', 'line 2 (flags): no value'],
      ['pos:\t0\nflags:\t040000000000\n', 'line 2 (flags): more than 32 bits'],
      [
        'pos:\t0\nflags:\t0\nmnt_id:\t99999999999999999\n',
        'line 3 (mnt_id): too large to be exact',
      ],
      ['pos:\t0\nflags:\t0\nmnt_id:\t-1\n', 'line 3 (mnt_id): not a decimal number'],
      ['pos:\t0\nflags:\t0\nino:\t18446744073709551616\n', 'line 3 (ino): larger than 64 bits'],
      ['pos:\t0\nflags:\t0\nino:\t1 \n', 'line 3 (ino): not a decimal number'],
      ['pos:\t0\npos:\t1\nflags:\t0\n', 'line 2 repeats the key pos'],
      ['pos:\t0\n\nflags:\t0\n', 'line 2 is empty'],
    ];
    for (const [input, message] of cases) {
      const error = parseErrorOf(() => parseFdinfo(input));
      expect(error.kind).toBe('fdinfo');
      expect(error.message).toContain(message);
    }
  });

  it('reads a truncated file as a ParseError or as the lines before the cut', () => {
    const data = fixture('inotify-one-watch');
    for (let cut = 0; cut < data.length; cut++) {
      try {
        const info = parseFdinfo(data.subarray(0, cut));
        // Past the flags line, a cut leaves the flags whole; inside it, their first digits.
        const written = info.flags === 0 ? '0' : `0${info.flags.toString(8)}`;
        expect('02004000'.startsWith(written)).toBe(true);
        expect(info.pos).toBe(0n);
      } catch {
        expect(parseErrorOf(() => parseFdinfo(data.subarray(0, cut))).kind).toBe('fdinfo');
      }
    }
  });
});
