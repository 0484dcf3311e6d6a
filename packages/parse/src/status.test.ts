import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixtures, parseErrorOf, valueOrParseError } from '../test/helpers.js';
import { parseStatus, type Status } from './status.js';

const fixture = fixtures('status');

/** The typed properties only, so `toEqual` also catches a property that should not be there. */
const typed = (status: Status) => {
  const { fields: _fields, sizesBytes: _sizes, ...rest } = status;
  return rest;
};

const ROOT_IDS = { real: 0, effective: 0, saved: 0, filesystem: 0 };
const KB = 1024;

describe('parseStatus on real captures', () => {
  it('reads a process that set its own comm, ids, groups and umask', () => {
    // Started by: umask(027); setgroups([10, 20, 1000]); setresgid(100, 200, 300);
    // setresuid(1000, 1001, 1002); prctl(PR_SET_NAME, b'a b\\c\nd\xff\te').
    const status = parseStatus(fixture('renamed-setuid.status'));
    expect(typed(status)).toEqual({
      name: 'a b\\c\nd\udcff\te',
      umask: 0o027,
      state: 'S',
      stateName: 'sleeping',
      tgid: 8925,
      ngid: 0,
      pid: 8925,
      ppid: 8922,
      tracerPid: 0,
      uid: { real: 1000, effective: 1001, saved: 1002, filesystem: 1001 },
      gid: { real: 100, effective: 200, saved: 300, filesystem: 200 },
      fdSize: 256,
      groups: [10, 20, 1000],
      nsTgid: [8925],
      nsPid: [8925],
      nsPgid: [8919],
      nsSid: [2647],
      kthread: false,
      vmPeakBytes: 16784 * KB,
      vmSizeBytes: 16744 * KB,
      vmLckBytes: 0,
      vmPinBytes: 0,
      vmHwmBytes: 13828 * KB,
      vmRssBytes: 13828 * KB,
      rssAnonBytes: 7048 * KB,
      rssFileBytes: 6780 * KB,
      rssShmemBytes: 0,
      vmDataBytes: 7964 * KB,
      vmStkBytes: 132 * KB,
      vmExeBytes: 4 * KB,
      vmLibBytes: 4760 * KB,
      vmPteBytes: 68 * KB,
      vmSwapBytes: 0,
      hugetlbPagesBytes: 0,
      coreDumping: false,
      thpEnabled: true,
      untagMask: 0xffffffffffffffffn,
      threads: 1,
      sigQ: { queued: 0, limit: 96365n },
      sigPnd: 0n,
      shdPnd: 0n,
      sigBlk: 0n,
      sigIgn: 0x1001006n,
      sigCgt: 0n,
      capInh: 0n,
      capPrm: 0n,
      capEff: 0n,
      capBnd: 0x1fffeffffffn,
      capAmb: 0n,
      noNewPrivs: false,
      seccomp: 0,
      seccompFilters: 0,
      speculationStoreBypass: 'vulnerable',
      speculationIndirectBranch: 'always enabled',
      cpusAllowedList: '0-1',
      memsAllowedList: '0',
      voluntaryCtxtSwitches: 14,
      nonvoluntaryCtxtSwitches: 8,
    });
    // The raw field keeps the kernel's escapes; the typed name undoes them.
    expect(status.fields.get('Name')).toBe('a b\\\\c\\nd\udcff\te');
    expect(status.fields.get('Groups')).toBe('10 20 1000 ');
    expect(status.fields.get('Uid')).toBe('1000\t1001\t1002\t1001');
    expect(status.fields.get('VmRSS')).toBe('13828 kB');
    expect(status.fields.size).toBe(59);
    expect([...status.sizesBytes]).toEqual([
      ['VmPeak', 16784 * KB],
      ['VmSize', 16744 * KB],
      ['VmLck', 0],
      ['VmPin', 0],
      ['VmHWM', 13828 * KB],
      ['VmRSS', 13828 * KB],
      ['RssAnon', 7048 * KB],
      ['RssFile', 6780 * KB],
      ['RssShmem', 0],
      ['VmData', 7964 * KB],
      ['VmStk', 132 * KB],
      ['VmExe', 4 * KB],
      ['VmLib', 4760 * KB],
      ['VmPTE', 68 * KB],
      ['VmSwap', 0],
      ['HugetlbPages', 0],
    ]);
  });

  it('decodes the comm as asked', () => {
    expect(parseStatus(fixture('renamed-setuid.status'), { decoding: 'latin1' }).name).toBe(
      'a b\\c\nd\u00ff\te',
    );
    const error = parseErrorOf(() =>
      parseStatus(fixture('renamed-setuid.status'), { decoding: 'strict' }),
    );
    expect(error.kind).toBe('status');
    expect(error.offset).toBe(15);
  });

  it('reads a kernel thread, which has no memory lines', () => {
    const status = parseStatus(fixture('pid2-kthreadd.status'));
    expect(typed(status)).toEqual({
      name: 'kthreadd',
      umask: 0o022,
      state: 'S',
      stateName: 'sleeping',
      tgid: 2,
      ngid: 0,
      pid: 2,
      ppid: 0,
      tracerPid: 0,
      uid: ROOT_IDS,
      gid: ROOT_IDS,
      fdSize: 64,
      groups: [],
      nsTgid: [2],
      nsPid: [2],
      nsPgid: [0],
      nsSid: [0],
      kthread: true,
      threads: 1,
      sigQ: { queued: 0, limit: 96365n },
      sigPnd: 0n,
      shdPnd: 0n,
      sigBlk: 0n,
      sigIgn: 0xffffffffffffffffn,
      sigCgt: 0n,
      capInh: 0n,
      capPrm: 0x1ffffffffffn,
      capEff: 0x1ffffffffffn,
      capBnd: 0x1ffffffffffn,
      capAmb: 0n,
      noNewPrivs: false,
      seccomp: 0,
      seccompFilters: 0,
      speculationStoreBypass: 'vulnerable',
      speculationIndirectBranch: 'always enabled',
      cpusAllowedList: '0-1',
      memsAllowedList: '0',
      voluntaryCtxtSwitches: 61,
      nonvoluntaryCtxtSwitches: 0,
    });
    expect(status.sizesBytes.size).toBe(0);
    expect(status.fields.size).toBe(40);
    expect(status.fields.get('Groups')).toBe('');
  });

  it('reads a zombie, which has neither Umask nor memory lines', () => {
    const status = parseStatus(fixture('zombie.status'));
    expect(typed(status)).toEqual({
      name: 'sleep',
      state: 'Z',
      stateName: 'zombie',
      tgid: 8762,
      ngid: 0,
      pid: 8762,
      ppid: 8761,
      tracerPid: 0,
      uid: ROOT_IDS,
      gid: ROOT_IDS,
      fdSize: 0,
      groups: [],
      nsTgid: [8762],
      nsPid: [8762],
      nsPgid: [8756],
      nsSid: [2647],
      kthread: false,
      threads: 1,
      sigQ: { queued: 0, limit: 96365n },
      sigPnd: 0n,
      shdPnd: 0n,
      sigBlk: 0n,
      sigIgn: 0x6n,
      sigCgt: 0n,
      capInh: 0n,
      capPrm: 0x1fffeffffffn,
      capEff: 0x1fffeffffffn,
      capBnd: 0x1fffeffffffn,
      capAmb: 0n,
      noNewPrivs: false,
      seccomp: 0,
      seccompFilters: 0,
      speculationStoreBypass: 'vulnerable',
      speculationIndirectBranch: 'always enabled',
      cpusAllowedList: '0-1',
      memsAllowedList: '0',
      voluntaryCtxtSwitches: 2,
      nonvoluntaryCtxtSwitches: 1,
    });
    expect(status.sizesBytes.size).toBe(0);
    expect(status.fields.size).toBe(39);
  });

  it('reads pid 1', () => {
    const status = parseStatus(fixture('pid1-init.status'));
    expect(status).toMatchObject({
      name: 'process_api',
      umask: 0o022,
      state: 'S',
      stateName: 'sleeping',
      tgid: 1,
      pid: 1,
      ppid: 0,
      fdSize: 512,
      groups: [],
      kthread: false,
      threads: 12,
      sigIgn: 0x1000n,
      sigCgt: 0x4e8n,
      capPrm: 0x1ffffffffffn,
      capEff: 0x1ffffffffffn,
      capBnd: 0x1fffeffffffn,
      vmLckBytes: 42772 * KB,
      sigQ: { queued: 1, limit: 96365n },
      rssFileBytes: 8 * KB,
      voluntaryCtxtSwitches: 360,
      nonvoluntaryCtxtSwitches: 56,
    });
    expect(status.fields.size).toBe(59);
    expect(status.fields.get('Cpus_allowed')).toBe('3');
    expect(status.fields.get('untag_mask')).toBe('0xffffffffffffffff');
    expect(status.fields.get('Mems_allowed')).toBe(`${'00000000,'.repeat(31)}00000001`);
    expect([...status.sizesBytes]).toEqual([
      ['VmPeak', 47784 * KB],
      ['VmSize', 42804 * KB],
      ['VmLck', 42772 * KB],
      ['VmPin', 0],
      ['VmHWM', 17192 * KB],
      ['VmRSS', 14776 * KB],
      ['RssAnon', 8520 * KB],
      ['RssFile', 8 * KB],
      ['RssShmem', 6248 * KB],
      ['VmData', 35424 * KB],
      ['VmStk', 132 * KB],
      ['VmExe', 5224 * KB],
      ['VmLib', 8 * KB],
      ['VmPTE', 128 * KB],
      ['VmSwap', 0],
      ['HugetlbPages', 0],
    ]);
  });

  it('reads a shell', () => {
    const status = parseStatus(fixture('shell.status'));
    expect(status).toMatchObject({
      name: 'bash',
      state: 'S',
      tgid: 2647,
      pid: 2647,
      ppid: 2634,
      nsPgid: [2647],
      nsSid: [2647],
      sigBlk: 0x10000n,
      sigIgn: 0x4n,
      sigCgt: 0x43817efbn,
      vmExeBytes: 772 * KB,
      vmRssBytes: 4096 * KB,
      voluntaryCtxtSwitches: 95,
    });
    expect(status.fields.size).toBe(59);
  });

  it('reads a stopped process in a child pid namespace', () => {
    // Started by `unshare -p -f sleep 60`, then SIGSTOP: it is pid 1 inside its namespace.
    const status = parseStatus(fixture('pidns-stopped.status'));
    expect(status).toMatchObject({
      name: 'sleep',
      state: 'T',
      stateName: 'stopped',
      tgid: 8927,
      pid: 8927,
      ppid: 8926,
      nsTgid: [8927, 1],
      nsPid: [8927, 1],
      nsPgid: [8919, 0],
      nsSid: [2647, 0],
      vmSizeBytes: 2920 * KB,
    });
  });
});

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
      fc.property(
        fc.array(fc.tuple(fc.nat(real.length - 1), fc.integer({ min: 0, max: 255 })), {
          maxLength: 5,
        }),
        fc.nat(real.length),
        (edits, cut) => {
          const input = real.slice(0, cut);
          for (const [at, byte] of edits) if (at < input.length) input[at] = byte;
          valueOrParseError(() => parseStatus(input));
        },
      ),
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
