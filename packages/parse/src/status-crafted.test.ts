// parseStatus on crafted files, on any input, and at the limits of its numbers and widths.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { damaged, fixtures, parseErrorOf, valueOrParseError } from '../test/helpers.js';
import { KB, ROOT_IDS, typed } from '../test/status.js';
import { parseStatus } from './status.js';

const fixture = fixtures('status');

describe('parseStatus on crafted files', () => {
  const BASE =
    'Name:\tx\nState:\tR (running)\nTgid:\t5\nPid:\t5\nPPid:\t1\nTracerPid:\t0\n' +
    'Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n';
  const withLine = (line: string) => `${BASE}${line}\n`;

  it('needs only the lines every kernel writes', () => {
    const status = parseStatus(BASE);
    expect(typed(status)).toEqual({
      name: 'x',
      state: 'R',
      stateName: 'running',
      tgid: 5,
      pid: 5,
      ppid: 1,
      tracerPid: 0,
      uid: ROOT_IDS,
      gid: ROOT_IDS,
    });
    expect(status.fields.size).toBe(8);
    expect(status.sizesBytes.size).toBe(0);
  });

  it('keeps spaces around a comm and undoes its escapes', () => {
    const status = parseStatus(fixture('crafted-name-spaces.status'));
    expect(typed(status)).toEqual({
      name: '  a\\b\nc d ',
      umask: 0o002,
      state: 'D',
      stateName: 'disk sleep',
      tgid: 42,
      ngid: 0,
      pid: 42,
      ppid: 1,
      tracerPid: 7,
      uid: { real: 1000, effective: 1000, saved: 1000, filesystem: 1000 },
      gid: { real: 1000, effective: 1000, saved: 1000, filesystem: 1000 },
      fdSize: 64,
      groups: [4, 24, 27, 1000],
    });
    expect(status.fields.get('Name')).toBe('  a\\\\b\\nc d ');
  });

  it('reads a Linux 4.4 layout with VmPMD and without the newer lines', () => {
    const status = parseStatus(fixture('crafted-linux-4.4.status'));
    expect(typed(status)).toEqual({
      name: 'nginx',
      state: 'S',
      stateName: 'sleeping',
      tgid: 1234,
      ngid: 0,
      pid: 1234,
      ppid: 1,
      tracerPid: 0,
      uid: { real: 33, effective: 33, saved: 33, filesystem: 33 },
      gid: { real: 33, effective: 33, saved: 33, filesystem: 33 },
      fdSize: 64,
      groups: [33],
      vmPeakBytes: 125028 * KB,
      vmSizeBytes: 124972 * KB,
      vmLckBytes: 0,
      vmPinBytes: 0,
      vmHwmBytes: 9588 * KB,
      vmRssBytes: 9588 * KB,
      rssAnonBytes: 5304 * KB,
      rssFileBytes: 4284 * KB,
      rssShmemBytes: 0,
      vmDataBytes: 5580 * KB,
      vmStkBytes: 132 * KB,
      vmExeBytes: 1008 * KB,
      vmLibBytes: 8052 * KB,
      vmPteBytes: 252 * KB,
      vmPmdBytes: 12 * KB,
      vmSwapBytes: 0,
      hugetlbPagesBytes: 0,
      threads: 1,
      sigQ: { queued: 0, limit: 7862n },
      sigPnd: 0n,
      shdPnd: 0n,
      sigBlk: 0n,
      sigIgn: 0x40001000n,
      sigCgt: 0x198016a07n,
      capInh: 0n,
      capPrm: 0n,
      capEff: 0n,
      capBnd: 0x3fffffffffn,
      capAmb: 0n,
      seccomp: 0,
      cpusAllowedList: '0-7',
      memsAllowedList: '0',
      voluntaryCtxtSwitches: 412,
      nonvoluntaryCtxtSwitches: 3,
    });
    expect(status.sizesBytes.get('VmPMD')).toBe(12 * KB);
    expect(status.sizesBytes.size).toBe(17);
  });

  it('names the key of a malformed Uid line', () => {
    const error = parseErrorOf(() => parseStatus(fixture('crafted-bad-uid.status')));
    expect(error.kind).toBe('status');
    expect(error.message).toContain('Uid: expected 4 ids');
    expect(error.message).toContain('found 3');
    expect(error.offset).toBe(74);
    expect(
      parseErrorOf(() => parseStatus(withLine('Foo:\t1').replace('Uid:\t0', 'Uid:\tx'))).message,
    ).toContain('Uid: expected an unsigned decimal');
  });

  it('names the line without a colon', () => {
    const error = parseErrorOf(() => parseStatus(fixture('crafted-no-colon.status')));
    expect(error.message).toContain('line 6 has no ":"');
    expect(error.offset).toBe(56);
    expect(error.excerpt).toContain('TracerPid 0');
  });

  it('refuses an empty line, an empty key and a repeated key', () => {
    expect(parseErrorOf(() => parseStatus(`${BASE}\nFoo:\t1\n`)).message).toContain(
      'line 9 has no ":"',
    );
    expect(parseErrorOf(() => parseStatus(withLine(':\t1'))).message).toContain(
      'line 9 has an empty key',
    );
    expect(parseErrorOf(() => parseStatus(withLine('Pid:\t6'))).message).toContain(
      'line 9 repeats the key Pid',
    );
  });

  it('refuses a status without a required line', () => {
    expect(parseErrorOf(() => parseStatus(BASE.replace('Pid:\t5\n', ''))).message).toContain(
      'missing the Pid line',
    );
    expect(parseErrorOf(() => parseStatus('')).message).toContain('missing the Name line');
  });

  it('names the key of each typed value that does not parse', () => {
    const cases: Array<[string, string]> = [
      ['Umask:\t0089', 'Umask: expected an octal number'],
      ['Threads:\t1x', 'Threads: expected an unsigned decimal'],
      ['Threads:\t9007199254740993', 'Threads: expected an unsigned decimal number below 2^53'],
      ['Threads:\t', 'Threads: expected an unsigned decimal'],
      ['VmRSS:\t 12', 'VmRSS: expected "<number> kB"'],
      ['VmRSS:\tlots kB', 'VmRSS: expected "<number> kB"'],
      ['SigQ:\t0-100', 'SigQ: expected "<queued>/<limit>"'],
      ['SigQ:\t0/', 'SigQ: expected an unsigned decimal'],
      ['CapEff:\t00000000000000g0', 'CapEff: expected a hex number'],
      ['NoNewPrivs:\t2', 'NoNewPrivs: expected 0 or 1'],
      ['NStgid:', 'NStgid: expected at least one id'],
      ['Groups:\t1 two', 'Groups: expected an unsigned decimal'],
      ['untag_mask:\tffff', 'untag_mask: expected a 0x-prefixed hex number'],
    ];
    for (const [line, message] of cases) {
      expect(parseErrorOf(() => parseStatus(withLine(line))).message).toContain(message);
    }
    for (const state of ['R', 'R running', 'R (running', 'RR (running)', ' (running)']) {
      const input = BASE.replace('State:\tR (running)', `State:\t${state}`);
      expect(parseErrorOf(() => parseStatus(input)).message).toContain(
        'State: expected "<letter> (<name>)"',
      );
    }
  });

  it('refuses a Name without its tab and a backslash the kernel would not write', () => {
    expect(parseErrorOf(() => parseStatus(BASE.replace('Name:\tx', 'Name: x'))).message).toContain(
      'Name: expected a tab',
    );
    const error = parseErrorOf(() => parseStatus(BASE.replace('Name:\tx', 'Name:\ta\\tb')));
    expect(error.message).toContain('Name: a backslash');
    expect(error.offset).toBe(7);
    expect(parseErrorOf(() => parseStatus(BASE.replace('Name:\tx', 'Name:\tab\\'))).offset).toBe(8);
  });

  it('keeps unknown keys, and counts an unknown "<n> kB" line as a size', () => {
    const status = parseStatus(
      `${BASE}Future_size:\t   12 kB\nOdd:\tsome kB\nconstructor:\t1\n__proto__:\t2\ntoString:\tx\n`,
    );
    expect(typed(status)).toEqual(typed(parseStatus(BASE)));
    expect([...status.sizesBytes]).toEqual([['Future_size', 12 * KB]]);
    expect(status.fields.get('Odd')).toBe('some kB');
    expect(status.fields.get('__proto__')).toBe('2');
    expect(status.fields.get('constructor')).toBe('1');
    expect(Object.getPrototypeOf(status)).toBe(Object.prototype);
  });

  it('does not take a comm that ends in " kB" for a size', () => {
    const status = parseStatus(BASE.replace('Name:\tx', 'Name:\t1 kB'));
    expect(status.name).toBe('1 kB');
    expect(status.sizesBytes.size).toBe(0);
  });

  it('reads 128-bit signal masks (MIPS has 128 signals)', () => {
    const status = parseStatus(withLine('SigBlk:\t0000000000000001fffffffffffffffe'));
    expect(status.sigBlk).toBe(0x1fffffffffffffffen);
  });

  it('reads sizes past 2^53 bytes exactly', () => {
    // 2^50 kB is 2^60 bytes: a power of two times 1024 is still exact in a double.
    const status = parseStatus(withLine('VmSize:\t1125899906842624 kB'));
    expect(status.vmSizeBytes).toBe(2 ** 60);
  });

  it('reads a file without its final newline, and strings like bytes', () => {
    const text = BASE.slice(0, -1);
    expect(typed(parseStatus(text))).toEqual(typed(parseStatus(BASE)));
    const bytes = fixture('pidns-stopped.status');
    const fromString = parseStatus(new TextDecoder().decode(bytes));
    expect(typed(fromString)).toEqual(typed(parseStatus(bytes)));
    expect(fromString.fields).toEqual(parseStatus(bytes).fields);
  });

  it('refuses input that is neither bytes nor a string', () => {
    expect(parseErrorOf(() => parseStatus(42 as unknown as string)).kind).toBe('status');
  });
});

describe('parseStatus properties', () => {
  it('returns a value or throws a ParseError for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (input) => {
        valueOrParseError(() => parseStatus(input));
      }),
    );
  });

  it('returns a value or throws a ParseError for any string, in every decoding', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 500 }),
        fc.constantFrom('escape', 'strict', 'replace', 'latin1' as const),
        (input, decoding) => {
          valueOrParseError(() => parseStatus(input, { decoding }));
        },
      ),
    );
  });

  it('returns a value or throws a ParseError for mutated real files', () => {
    const real = fixture('renamed-setuid.status');
    fc.assert(
      fc.property(damaged(real), (input) => {
        valueOrParseError(() => parseStatus(input));
      }),
    );
  });

  it('reads back what a kernel-style writer wrote', () => {
    const escapeComm = (comm: Uint8Array): number[] => {
      const out: number[] = [];
      for (const byte of comm) {
        if (byte === 0x0a) out.push(0x5c, 0x6e);
        else if (byte === 0x5c) out.push(0x5c, 0x5c);
        else out.push(byte);
      }
      return out;
    };
    const id = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 15 }).filter((c) => !c.includes(0)),
        fc.tuple(id, id, id, id),
        fc.array(id, { maxLength: 8 }),
        fc.integer({ min: 0, max: 0o777 }),
        fc.integer({ min: 0, max: 2 ** 43 }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        (comm, uids, groups, umask, rssKb, sigCgt) => {
          const text =
            `Umask:\t0${umask.toString(8).padStart(3, '0')}\nState:\tS (sleeping)\n` +
            'Tgid:\t9\nPid:\t9\nPPid:\t1\nTracerPid:\t0\n' +
            `Uid:\t${uids.join('\t')}\nGid:\t0\t0\t0\t0\n` +
            `Groups:\t${groups.map((g) => `${g} `).join('')}\n` +
            `VmRSS:\t${String(rssKb).padStart(8, ' ')} kB\n` +
            `SigCgt:\t${sigCgt.toString(16).padStart(16, '0')}\n`;
          const input = Uint8Array.from([
            ...new TextEncoder().encode('Name:\t'),
            ...escapeComm(comm),
            0x0a,
            ...new TextEncoder().encode(text),
          ]);
          const status = parseStatus(input, { decoding: 'latin1' });
          expect(status.name).toBe(String.fromCharCode(...comm));
          expect(status.umask).toBe(umask);
          expect(status.uid).toEqual({
            real: uids[0],
            effective: uids[1],
            saved: uids[2],
            filesystem: uids[3],
          });
          expect(status.groups).toEqual(groups);
          expect(status.vmRssBytes).toBe(rssKb * 1024);
          expect(status.sizesBytes.get('VmRSS')).toBe(rssKb * 1024);
          expect(status.sigCgt).toBe(sigCgt);
        },
      ),
    );
  });
});

describe('parseStatus on limits and hostile widths', () => {
  const base = fixture('shell.status');
  const withLine = (line: string) => new TextDecoder().decode(base).replace(/^SigQ:.*$/m, line);

  it('reads an unlimited RLIMIT_SIGPENDING (2^64-1) exactly', () => {
    const status = parseStatus(withLine('SigQ:\t0/18446744073709551615'));
    expect(status.sigQ).toEqual({ queued: 0, limit: 18446744073709551615n });
  });

  it('refuses a mask wider than 128 bits at once instead of reading it', () => {
    const text = new TextDecoder()
      .decode(base)
      .replace(/^SigPnd:.*$/m, `SigPnd:\t${'f'.repeat(1_000_000)}`);
    expect(parseErrorOf(() => parseStatus(text)).message).toContain(
      'SigPnd: a mask of more than 128 bits',
    );
  });
});
