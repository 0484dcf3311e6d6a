import { describe, expect, it } from 'vitest';
import { fixtures, parseErrorOf } from '../test/helpers.js';
import { KB, ROOT_IDS, typed } from '../test/status.js';
import { parseStatus } from './status.js';

const fixture = fixtures('status');

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
