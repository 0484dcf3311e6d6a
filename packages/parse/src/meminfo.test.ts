import { describe, expect, it } from 'vitest';
import { bytes, fixtures, latin1Text, parseErrorOf } from '../test/helpers.js';
import { parseMeminfo } from './meminfo.js';

const fixture = fixtures('meminfo');
const KB = 1024;

describe('parseMeminfo on real captures', () => {
  it('reads `cat /proc/meminfo` (Linux 6.18): sizes in bytes, huge page counts as counts', () => {
    const info = parseMeminfo(fixture('live'));
    expect(info.memTotal).toBe(24683748 * KB);
    expect(info.memFree).toBe(19830400 * KB);
    expect(info.memAvailable).toBe(20922060 * KB);
    expect(info.bytes.get('Active(anon)')).toBe(336 * KB);
    expect(info.bytes.get('Inactive(file)')).toBe(555888 * KB);
    expect(info.bytes.get('Committed_AS')).toBe(3513432 * KB);
    expect(info.bytes.get('VmallocTotal')).toBe(34359738367 * KB);
    expect(info.bytes.get('Hugepagesize')).toBe(2048 * KB);
    expect(info.bytes.get('DirectMap2M')).toBe(25135104 * KB);
    expect(info.bytes.size).toBe(49); // grep -c ' kB$' test/fixtures/meminfo/live
    expect(info.counts).toEqual(
      new Map([
        ['HugePages_Total', 0],
        ['HugePages_Free', 0],
        ['HugePages_Rsvd', 0],
        ['HugePages_Surp', 0],
      ]),
    );
    // Keys keep the kernel's names and order.
    expect([...info.bytes.keys()].slice(0, 4)).toEqual([
      'MemTotal',
      'MemFree',
      'MemAvailable',
      'Buffers',
    ]);
  });

  it('reads a kernel without MemAvailable (hand-written, as Linux 3.2 writes it)', () => {
    const info = parseMeminfo(fixture('crafted-linux-3.2-no-memavailable'));
    expect(info).toEqual({
      memTotal: 1000 * KB,
      memFree: 200 * KB,
      bytes: new Map([
        ['MemTotal', 1000 * KB],
        ['MemFree', 200 * KB],
        ['Hugepagesize', 2048 * KB],
      ]),
      counts: new Map([['HugePages_Total', 3]]),
    });
    expect(info).not.toHaveProperty('memAvailable');
  });

  it('gives the same answer for the bytes and their text', () => {
    const data = fixture('live');
    expect(parseMeminfo(latin1Text(data))).toEqual(parseMeminfo(data));
  });
});

describe('parseMeminfo on malformed input', () => {
  const BASE = 'MemTotal: 10 kB\nMemFree: 5 kB\n';

  it('takes a key named __proto__ as just a key', () => {
    const info = parseMeminfo(`${BASE}__proto__: 1 kB\n`);
    expect(info.bytes.get('__proto__')).toBe(KB);
    expect(Object.getPrototypeOf(info)).toBe(Object.prototype);
  });

  it('names the line and the key', () => {
    const cases: [string | Uint8Array, string][] = [
      ['MemFree: 5 kB\n', 'the line MemTotal is missing'],
      ['MemTotal: 10\nMemFree: 5 kB\n', 'the line MemTotal has no "kB"'],
      [`${BASE}MemAvailable: 3\n`, 'the line MemAvailable has no "kB"'],
      [`${BASE}MemFree: 5 kB\n`, 'line 3 repeats the key MemFree'],
      [`${BASE}Cached: -5 kB\n`, 'line 3 (Cached): expected a decimal number'],
      [`${BASE}Cached: 5 kB \n`, 'line 3 (Cached)'],
      [`${BASE}Cached: 5 kB\r\n`, 'line 3 (Cached)'],
      [`${BASE}Cached:5 kB\n`, 'line 3 (Cached): no space after ":"'],
      [`${BASE}Cached: \n`, 'line 3 (Cached): expected a decimal number'],
      [`${BASE}: 5 kB\n`, 'line 3 has no key'],
      [`${BASE}Node 0 Cached: 5 kB\n`, 'line 3: a key has no spaces'],
      [`${BASE}\rCached: 5 kB\n`, 'line 3: a key has no spaces or control bytes'],
      [`${BASE}\nCached: 5 kB\n`, 'line 3 is empty'],
      [`${BASE}Cached: 99999999999999999 kB\n`, 'line 3 (Cached): the value is too large'],
      ['MemTotal: 10 kB\nMemFr', 'line 2 is not "Key: N kB" (no ":")'],
      [bytes(0x4d, 0xff, 0x3a, 0x20, 0x31), 'the line MemTotal is missing'],
    ];
    for (const [input, message] of cases) {
      const error = parseErrorOf(() => parseMeminfo(input));
      expect(error.kind).toBe('meminfo');
      expect(error.message).toContain(message);
    }
  });

  it('reads every cut of the live file as a result with its lines, or a ParseError', () => {
    const data = fixture('live');
    const text = latin1Text(data);
    for (let cut = 0; cut < data.length; cut += 7) {
      const piece = data.subarray(0, cut);
      const lines = latin1Text(piece).split('\n');
      const whole = lines.at(-1) === '' || text[cut] === '\n';
      try {
        const info = parseMeminfo(piece);
        // A cut inside a number still parses, as a smaller number: only the line count is sure.
        expect(info.bytes.size + info.counts.size).toBe(lines.filter((l) => l !== '').length);
      } catch (error) {
        expect(parseErrorOf(() => parseMeminfo(piece)).kind).toBe('meminfo');
        if (whole && cut > 40) throw error;
      }
    }
  });
});
