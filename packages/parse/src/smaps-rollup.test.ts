import { describe, expect, it } from 'vitest';
import { bytesOf, fixtures, latin1Text, parseErrorOf } from '../test/helpers.js';
import { parseSmapsRollup } from './smaps-rollup.js';

const fixture = fixtures('smaps_rollup');
const KB = 1024;

describe('parseSmapsRollup on real captures', () => {
  it('reads `cat /proc/self/smaps_rollup` (Linux 6.18): every line in bytes, uss from the private lines', () => {
    const rollup = parseSmapsRollup(fixture('self-cat'));
    expect(rollup.start).toBe(0x55ca16026000n);
    expect(rollup.end).toBe(0x7fff57a04000n);
    expect(rollup.rss).toBe(1708 * KB);
    expect(rollup.pss).toBe(196 * KB);
    expect(rollup.pssDirty).toBe(112 * KB);
    expect(rollup.pssAnon).toBe(112 * KB);
    expect(rollup.pssFile).toBe(84 * KB);
    expect(rollup.pssShmem).toBe(0);
    expect(rollup.sharedClean).toBe(1556 * KB);
    expect(rollup.sharedDirty).toBe(0);
    expect(rollup.privateClean).toBe(40 * KB);
    expect(rollup.privateDirty).toBe(112 * KB);
    expect(rollup.uss).toBe((40 + 112) * KB);
    expect(rollup.swap).toBe(0);
    expect(rollup.swapPss).toBe(0);
    expect(rollup.counts.size).toBe(0);
    expect([...rollup.bytes.keys()]).toEqual([
      'Rss',
      'Pss',
      'Pss_Dirty',
      'Pss_Anon',
      'Pss_File',
      'Pss_Shmem',
      'Shared_Clean',
      'Shared_Dirty',
      'Private_Clean',
      'Private_Dirty',
      'Referenced',
      'Anonymous',
      'KSM',
      'LazyFree',
      'AnonHugePages',
      'ShmemPmdMapped',
      'FilePmdMapped',
      'Shared_Hugetlb',
      'Private_Hugetlb',
      'Swap',
      'SwapPss',
      'Locked',
    ]);
    expect(rollup.bytes.get('Referenced')).toBe(1708 * KB);
    expect(rollup.bytes.get('Anonymous')).toBe(112 * KB);
  });

  it('reads a `sleep 30` process', () => {
    const rollup = parseSmapsRollup(fixture('sleep'));
    expect(rollup.start).toBe(0x55a7bcaf6000n);
    expect(rollup.end).toBe(0x7ffe51292000n);
    expect(rollup.rss).toBe(1812 * KB);
    expect(rollup.pss).toBe(281 * KB);
    expect(rollup.pssFile).toBe(169 * KB);
    expect(rollup.sharedClean).toBe(1660 * KB);
    expect(rollup.uss).toBe(152 * KB);
  });

  it('reads a Linux 4.14 file (hand-written: no Pss_* lines) without the optional properties', () => {
    const rollup = parseSmapsRollup(fixture('crafted-linux-4.14'));
    expect(rollup.start).toBe(0xffffffffff600000n);
    expect(rollup).not.toHaveProperty('pssAnon');
    expect(rollup).not.toHaveProperty('pssDirty');
    expect(rollup.swap).toBe(8 * KB);
    expect(rollup.swapPss).toBe(8 * KB);
    expect(rollup.uss).toBe(4 * KB);
    expect(rollup.bytes.size).toBe(16);
  });

  it('gives the same answer for the bytes and their text', () => {
    const data = fixture('self-cat');
    expect(parseSmapsRollup(latin1Text(data))).toEqual(parseSmapsRollup(data));
  });
});

const HEADER = '00400000-7ffc0000 ---p 00000000 00:00 0     [rollup]\n';
const CORE =
  'Rss: 8 kB\nPss: 4 kB\nShared_Clean: 0 kB\nShared_Dirty: 0 kB\nPrivate_Clean: 1 kB\nPrivate_Dirty: 2 kB\nSwap: 0 kB\nSwapPss: 0 kB\n';

describe('parseSmapsRollup on malformed input', () => {
  it('keeps a line it does not know, with or without kB', () => {
    const rollup = parseSmapsRollup(`${HEADER + CORE}New_Thing:  3 kB\nSome_Count:  7\n`);
    expect(rollup.bytes.get('New_Thing')).toBe(3 * KB);
    expect(rollup.counts.get('Some_Count')).toBe(7);
    expect(rollup.uss).toBe(3 * KB);
  });

  it('refuses an empty file (a kernel thread or a zombie) as a ParseError', () => {
    expect(parseErrorOf(() => parseSmapsRollup('')).message).toContain('empty');
  });

  it('names what is wrong', () => {
    const cases: [string, string][] = [
      ['zz-1 0 [rollup]\nRss: 8 kB\n', 'line 1: the start address is not a 64-bit hex number'],
      ['0-10000000000000000 [rollup]\n', 'line 1: the end address is not a 64-bit hex number'],
      ['Rss: 8 kB\n', 'line 1 is not "<start>-<end> ... [rollup]" (no "-")'],
      ['0-1 ---p 00000000 00:00 0\nRss: 1 kB\n', 'line 1 does not end with "[rollup]"'],
      ['00400000 [rollup]\n', 'no "-"'],
      [HEADER + CORE.replace('Swap: 0 kB\n', ''), 'the line Swap is missing'],
      [HEADER + CORE.replace('Rss: 8 kB', 'Rss: 8'), 'the line Rss has no "kB"'],
      [HEADER + CORE.replace('Pss: 4 kB', 'Pss: 4 MB'), 'line 3 (Pss): expected a decimal number'],
      [HEADER + CORE.replace('Pss: 4 kB', 'Pss: 4 k'), 'line 3 (Pss)'],
      [`${HEADER + CORE}Rss: 1 kB\n`, 'line 10 repeats the key Rss'],
      [`${HEADER}Rss: 1 kB\n\n`, 'line 3 is empty'],
      [`${HEADER}Rss 1 kB\n`, 'line 2 is not "Key: N kB"'],
      [
        HEADER + CORE.replace('Rss: 8 kB', 'Rss: 9007199254740993 kB'),
        'line 2 (Rss): the value is too large to be exact',
      ],
    ];
    for (const [input, message] of cases) {
      const error = parseErrorOf(() => parseSmapsRollup(input));
      expect(error.kind).toBe('smaps_rollup');
      expect(error.message).toContain(message);
    }
  });

  it('reads a truncated file as a ParseError, never as a rollup with lines missing', () => {
    const data = fixture('self-cat');
    for (const cut of [10, 100, 200, data.length - 30]) {
      expect(parseErrorOf(() => parseSmapsRollup(data.subarray(0, cut))).kind).toBe('smaps_rollup');
    }
  });

  it('takes 2^53 - 1 kB, exactly, as bytes past 2^53', () => {
    const rollup = parseSmapsRollup(HEADER + CORE.replace('Rss: 8 kB', 'Rss: 9007199254740991 kB'));
    expect(BigInt(rollup.rss)).toBe(9007199254740991n * 1024n);
  });

  it('refuses what is neither bytes nor a string', () => {
    expect(parseErrorOf(() => parseSmapsRollup(42 as unknown as string)).kind).toBe('smaps_rollup');
    expect(parseErrorOf(() => parseSmapsRollup(bytesOf('x'))).kind).toBe('smaps_rollup');
  });
});
