import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NAMESPACE_TYPES } from '../test/documented.js';
import { fixtureBytes, parseErrorOf, valueOrParseError } from '../test/helpers.js';
import { type FdTarget, formatFdTarget, parseFdTarget } from './fd-target.js';
import { decodeText, encodeText } from './text.js';

/** The fixture's lines as bytes (targets hold no newline here; the last line ends in one). */
const lines = (name: string): Uint8Array[] => {
  const bytes = fixtureBytes('fd-target', name);
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      out.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  expect(start).toBe(bytes.length);
  return out;
};

describe('parseFdTarget on real link targets', () => {
  // readlink of /proc/<pid>/fd/3.. of a python3 process that opened, in order: a listening TCP
  // socket, a unix datagram socket, os.pipe(), os.eventfd(0), select.epoll(), inotify_init1(0),
  // (/dev/null, opened by the interpreter), timerfd_create, signalfd, os.memfd_create('my name'),
  // /proc/self/ns/net, /proc/self/ns/user, os.pidfd_open(self), "/tmp/pmcap/doomed file.txt"
  // (then unlinked), b"/tmp/pmcap/caf\xe9" (Latin-1, not UTF-8), and /dev/null.
  const expected: FdTarget[] = [
    { type: 'socket', inode: 16382 },
    { type: 'socket', inode: 16383 },
    { type: 'pipe', inode: 16384 },
    { type: 'pipe', inode: 16384 },
    { type: 'anon_inode', name: 'eventfd', bracketed: true },
    { type: 'anon_inode', name: 'eventpoll', bracketed: true },
    { type: 'anon_inode', name: 'inotify', bracketed: false },
    { type: 'file', path: '/dev/null', deleted: false },
    { type: 'anon_inode', name: 'timerfd', bracketed: true },
    { type: 'anon_inode', name: 'signalfd', bracketed: true },
    { type: 'memfd', name: 'my name', deleted: true },
    { type: 'namespace', namespace: 'net', inode: 4026531833 },
    { type: 'namespace', namespace: 'user', inode: 4026531837 },
    { type: 'anon_inode', name: 'pidfd', bracketed: true },
    { type: 'file', path: '/tmp/pmcap/doomed file.txt', deleted: true },
    { type: 'file', path: '/tmp/pmcap/caf\udce9', deleted: false },
    { type: 'file', path: '/dev/null', deleted: false },
  ];

  it('parses each target', () => {
    expect(lines('targets.txt').map((line) => parseFdTarget(line))).toEqual(expected);
  });

  it('formats each target back to the exact link text', () => {
    for (const line of lines('targets.txt')) {
      expect(encodeText(formatFdTarget(parseFdTarget(line)))).toEqual(line);
    }
  });

  it('decodes a non-UTF-8 path as asked', () => {
    const cafe = lines('targets.txt')[15] as Uint8Array;
    expect(parseFdTarget(cafe, { decoding: 'latin1' })).toEqual({
      type: 'file',
      path: '/tmp/pmcap/café',
      deleted: false,
    });
    expect(parseErrorOf(() => parseFdTarget(cafe, { decoding: 'strict' })).offset).toBe(14);
  });
});

describe('parseFdTarget on crafted link targets', () => {
  it('parses the other kernel forms, and keeps odd ones as unknown', () => {
    expect(lines('crafted-targets.txt').map((line) => parseFdTarget(line))).toEqual([
      { type: 'namespace', namespace: 'mnt', inode: 4026531841 },
      { type: 'namespace', namespace: 'pid', inode: 4026531836 },
      { type: 'namespace', namespace: 'cgroup', inode: 4026531835 },
      { type: 'namespace', namespace: 'ipc', inode: 4026531839 },
      { type: 'namespace', namespace: 'uts', inode: 4026531838 },
      { type: 'namespace', namespace: 'time', inode: 4026531834 },
      { type: 'anon_inode', name: 'io_uring', bracketed: true },
      { type: 'anon_inode', name: 'bpf-map', bracketed: false },
      { type: 'anon_inode', name: 'fanotify', bracketed: true },
      { type: 'anon_inode', name: 'kvm-vcpu:0', bracketed: false },
      { type: 'file', path: '/dmabuf:', deleted: false },
      { type: 'unknown', raw: 'dmabuf:' },
      { type: 'unknown', raw: '[fanotify]' },
      // Without " (deleted)" it cannot be a memfd: it is a real file under /.
      { type: 'file', path: '/memfd:not really', deleted: false },
      { type: 'memfd', name: 'gone', deleted: true },
      { type: 'file', path: '/tmp/a (deleted)', deleted: true },
      { type: 'file', path: '/[aio]', deleted: true },
      { type: 'file', path: '/dev/pts/3', deleted: false },
      { type: 'file', path: '/', deleted: false },
      { type: 'socket', inode: 0 },
    ]);
  });

  it('formats each crafted target back to its text', () => {
    for (const line of lines('crafted-targets.txt')) {
      expect(encodeText(formatFdTarget(parseFdTarget(line)))).toEqual(line);
    }
  });

  it('reads the *_for_children names and bare or empty anon_inode names', () => {
    expect(parseFdTarget('pid_for_children:[4026531836]')).toEqual({
      type: 'namespace',
      namespace: 'pid_for_children',
      inode: 4026531836,
    });
    expect(parseFdTarget('time_for_children:[1]')).toEqual({
      type: 'namespace',
      namespace: 'time_for_children',
      inode: 1,
    });
    expect(parseFdTarget('anon_inode:')).toEqual({
      type: 'anon_inode',
      name: '',
      bracketed: false,
    });
    expect(parseFdTarget('anon_inode:[]')).toEqual({
      type: 'anon_inode',
      name: '',
      bracketed: true,
    });
    expect(parseFdTarget('anon_inode:[')).toEqual({
      type: 'anon_inode',
      name: '[',
      bracketed: false,
    });
  });

  it('keeps unknown prefixes as unknown, never guessing', () => {
    expect(parseFdTarget('netns:[1]')).toEqual({ type: 'unknown', raw: 'netns:[1]' });
    expect(parseFdTarget('NET:[1]')).toEqual({ type: 'unknown', raw: 'NET:[1]' });
    expect(parseFdTarget('relative/path')).toEqual({ type: 'unknown', raw: 'relative/path' });
    expect(parseFdTarget(' (deleted)')).toEqual({ type: 'unknown', raw: ' (deleted)' });
  });

  it('refuses damaged socket, pipe and namespace targets', () => {
    const cases: Array<[string, string, number]> = [
      ['socket:[x]', 'socket: expected a decimal inode', 8],
      ['socket:[12a]', 'socket: expected a decimal inode', 10],
      ['socket:[]', 'socket: expected "socket:[<inode>]"', 7],
      ['socket:12', 'socket: expected "socket:[<inode>]"', 7],
      ['socket:[12', 'socket: expected "socket:[<inode>]"', 7],
      ['socket:[12] ', 'socket: expected "socket:[<inode>]"', 7],
      ['socket:[9007199254740993]', 'socket: expected a decimal inode below 2^53', 8],
      ['pipe:[-1]', 'pipe: expected a decimal inode', 6],
      ['net:[abc]', 'net: expected a decimal inode', 5],
      ['mnt:', 'mnt: expected "mnt:[<inode>]"', 4],
    ];
    for (const [input, message, offset] of cases) {
      const error = parseErrorOf(() => parseFdTarget(input));
      expect(error.kind).toBe('fd-target');
      expect(error.message).toContain(message);
      expect(error.offset).toBe(offset);
    }
  });

  it('refuses an empty target and input that is neither bytes nor a string', () => {
    expect(parseErrorOf(() => parseFdTarget('')).message).toContain('empty link target');
    expect(parseErrorOf(() => parseFdTarget(new Uint8Array(0))).message).toContain(
      'empty link target',
    );
    expect(parseErrorOf(() => parseFdTarget(undefined as unknown as string)).kind).toBe(
      'fd-target',
    );
  });
});

describe('parseFdTarget properties', () => {
  it('returns a target or throws a ParseError for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (input) => {
        valueOrParseError(() => expect(typeof parseFdTarget(input).type).toBe('string'));
      }),
    );
  });

  it('returns a target or throws a ParseError for any string, in every decoding', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc
            .tuple(
              fc.constantFrom('socket:', 'pipe:', 'anon_inode:', 'net:', '/memfd:', '/', ''),
              fc.string({ maxLength: 30 }),
            )
            .map(([prefix, rest]) => prefix + rest),
        ),
        fc.constantFrom('escape', 'strict', 'replace', 'latin1' as const),
        (input, decoding) => {
          valueOrParseError(() => parseFdTarget(input, { decoding }));
        },
      ),
    );
  });

  // Text as the escape decoding gives it, from any bytes: covers non-UTF-8 names too.
  const text = (maxLength: number) =>
    fc.uint8Array({ maxLength }).map((b) => decodeText('fd-target', b, 0, b.length));
  const inode = fc.nat();
  const namespace = fc.constantFrom(...NAMESPACE_TYPES);
  const DELETED = ' (deleted)';
  const target: fc.Arbitrary<FdTarget> = fc.oneof(
    inode.map((n) => ({ type: 'socket' as const, inode: n })),
    inode.map((n) => ({ type: 'pipe' as const, inode: n })),
    fc.record({
      type: fc.constant('anon_inode' as const),
      name: text(40),
      bracketed: fc.boolean(),
    }),
    fc.record({
      type: fc.constant('memfd' as const),
      name: text(40),
      deleted: fc.constant(true as const),
    }),
    fc.record({ type: fc.constant('namespace' as const), namespace, inode }),
    fc.record({
      type: fc.constant('file' as const),
      path: text(60).map((p) => `/${p}`),
      deleted: fc.boolean(),
    }),
    text(60).map((raw) => ({ type: 'unknown' as const, raw })),
  );
  /**
   * The targets a link text can stand for: the forms the text cannot tell apart are left out
   * (see FdTarget): a bare anon_inode name in brackets, a path ending in " (deleted)" that is
   * not deleted, a deleted "/memfd:" path, an unknown text that has a known form's prefix.
   */
  const representable = (t: FdTarget): boolean => {
    switch (t.type) {
      case 'anon_inode':
        return (
          t.bracketed || !(t.name.length >= 2 && t.name.startsWith('[') && t.name.endsWith(']'))
        );
      case 'file':
        return t.deleted ? !t.path.startsWith('/memfd:') : !t.path.endsWith(DELETED);
      case 'unknown':
        return (
          t.raw !== '' &&
          !t.raw.startsWith('/') &&
          !t.raw.startsWith('socket:') &&
          !t.raw.startsWith('pipe:') &&
          !t.raw.startsWith('anon_inode:') &&
          !NAMESPACE_TYPES.some((name) => t.raw.startsWith(`${name}:`))
        );
      default:
        return true;
    }
  };

  it('round-trips: parse(format(t)) deep-equals t', () => {
    fc.assert(
      fc.property(target.filter(representable), (t) => {
        expect(parseFdTarget(encodeText(formatFdTarget(t)))).toEqual(t);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips well-formed text through strings too', () => {
    fc.assert(
      fc.property(
        target.filter(representable).filter((t) => !/[\udc80-\udcff]/.test(formatFdTarget(t))),
        (t) => {
          expect(parseFdTarget(formatFdTarget(t))).toEqual(t);
        },
      ),
    );
  });

  it('formats back to the same text for any parsed target', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), (input) => {
        let parsed: FdTarget;
        try {
          parsed = parseFdTarget(input);
        } catch {
          return;
        }
        if (parsed.type === 'socket' || parsed.type === 'pipe' || parsed.type === 'namespace') {
          return; // leading zeros in an inode are not kept
        }
        expect(encodeText(formatFdTarget(parsed))).toEqual(input);
      }),
    );
  });
});
