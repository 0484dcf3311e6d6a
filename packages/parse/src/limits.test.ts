import { describe, expect, it } from 'vitest';
import { fixtures, latin1Text, parseErrorOf } from '../test/helpers.js';
import { LIMIT_KEYS, type LimitRow, parseLimits } from './limits.js';

const fixture = fixtures('limits');
const U = Number.POSITIVE_INFINITY;

const row = (
  name: string,
  key: LimitRow['key'],
  soft: number,
  hard: number,
  unit: string | null,
): LimitRow => ({ name, key, soft, hard, unit });

describe('parseLimits on real captures', () => {
  it('reads `bash -c "ulimit -n 777; exec sleep 30"`: every row, unlimited as Infinity', () => {
    const limits = parseLimits(fixture('sleep-nofile-777'));
    expect(limits.rows).toEqual([
      row('Max cpu time', 'cpu', U, U, 'seconds'),
      row('Max file size', 'fsize', U, U, 'bytes'),
      row('Max data size', 'data', U, U, 'bytes'),
      row('Max stack size', 'stack', 8388608, U, 'bytes'),
      row('Max core file size', 'core', 0, U, 'bytes'),
      row('Max resident set', 'rss', U, U, 'bytes'),
      row('Max processes', 'nproc', 96367, 96367, 'processes'),
      row('Max open files', 'nofile', 777, 777, 'files'),
      row('Max locked memory', 'memlock', 8388608, 8388608, 'bytes'),
      row('Max address space', 'as', U, U, 'bytes'),
      row('Max file locks', 'locks', U, U, 'locks'),
      row('Max pending signals', 'sigpending', 96367, 96367, 'signals'),
      row('Max msgqueue size', 'msgqueue', 819200, 819200, 'bytes'),
      row('Max nice priority', 'nice', 0, 0, null),
      row('Max realtime priority', 'rtprio', 0, 0, null),
      row('Max realtime timeout', 'rttime', U, U, 'us'),
    ]);
    expect(Object.keys(limits.byKey)).toHaveLength(16);
    expect(limits.byKey.nofile).toBe(limits.rows[7]);
  });

  it('tells soft from hard: `ulimit -Sn 500; ulimit -Hn 777; ulimit -Sc unlimited`', () => {
    const { byKey } = parseLimits(fixture('sleep-soft-500-hard-777'));
    expect(byKey.nofile).toEqual(row('Max open files', 'nofile', 500, 777, 'files'));
    expect(byKey.core).toEqual(row('Max core file size', 'core', U, U, 'bytes'));
  });

  it('keeps a row it does not know, without a short name (hand-written)', () => {
    const limits = parseLimits(fixture('crafted-new-row'));
    expect(limits.rows[2]).toEqual(row('Max future widgets', undefined, 12, U, 'widgets'));
    expect(Object.keys(limits.byKey)).toEqual(['cpu', 'fsize']);
  });

  it('maps every kernel row name to the short name prlimit(1) uses', () => {
    expect(LIMIT_KEYS.get('Max open files')).toBe('nofile');
    expect(LIMIT_KEYS.get('Max address space')).toBe('as');
    expect(LIMIT_KEYS.size).toBe(16);
    expect(LIMIT_KEYS.get('__proto__')).toBeUndefined();
  });

  it('gives the same answer for the bytes and their text', () => {
    const data = fixture('sleep-nofile-777');
    expect(parseLimits(latin1Text(data))).toEqual(parseLimits(data));
  });
});

describe('parseLimits on malformed input', () => {
  const HEADER = 'Limit                     Soft Limit           Hard Limit           Units     \n';

  it('reads narrower columns the same way', () => {
    expect(parseLimits(`${HEADER}Max open files 1 2 files\nMax nice priority 0 0`).rows).toEqual([
      row('Max open files', 'nofile', 1, 2, 'files'),
      row('Max nice priority', 'nice', 0, 0, null),
    ]);
  });

  it('names the line and what is wrong', () => {
    const cases: [string, string][] = [
      ['', 'line 1 is not the header'],
      ['Max open files 1 2 files\n', 'line 1 is not the header'],
      [`${HEADER}Max open files 1\n`, 'line 2 does not end with two limits'],
      [`${HEADER}Max open files\n`, 'line 2 does not end with two limits'],
      [`${HEADER}files\n`, 'line 2 does not end with two limits'],
      [`${HEADER}1 2 files\n`, 'line 2 has no name'],
      [`${HEADER}Max open files -1 2 files\n`, 'line 2 does not end with two limits'],
      [`${HEADER}Max open files 1 Unlimited files\n`, 'line 2 does not end with two limits'],
      [`${HEADER}Max open files 1 2 files extra\n`, 'line 2 does not end with two limits'],
      [
        `${HEADER}Max open files 9007199254740993 unlimited files\n`,
        'line 2 (Max open files): the soft limit is too large to be exact as a number',
      ],
      [
        `${HEADER}Max open files 1 2 files\nMax open files 1 2 files\n`,
        'line 3 repeats the limit "Max open files"',
      ],
      [`${HEADER}\nMax open files 1 2 files\n`, 'line 2 is empty'],
    ];
    for (const [input, message] of cases) {
      const error = parseErrorOf(() => parseLimits(input));
      expect(error.kind).toBe('limits');
      expect(error.message).toContain(message);
    }
  });

  it('reads every cut of a real file as whole rows or a ParseError, never a limit from half a word', () => {
    const data = fixture('sleep-nofile-777');
    const full = parseLimits(data).rows;
    for (let cut = 0; cut < data.length; cut++) {
      try {
        const rows = parseLimits(data.subarray(0, cut)).rows;
        for (const [index, got] of rows.entries()) {
          const whole = full[index] as LimitRow;
          expect(got.name).toBe(whole.name);
          // A cut inside a number leaves a smaller one; a cut inside "unlimited" is an error.
          if (got.soft === U) expect(whole.soft).toBe(U);
          if (got.hard === U) expect(whole.hard).toBe(U);
        }
      } catch {
        expect(parseErrorOf(() => parseLimits(data.subarray(0, cut))).kind).toBe('limits');
      }
    }
  });
});
