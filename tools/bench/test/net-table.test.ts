// The connection bench's tables from known times: units, ratios, targets that are met, missed or
// not measured (a row skipped because its API is missing), and the lines written to results.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  evaluate,
  faster,
  NetReport,
  speedText,
  timeText,
  under,
  within,
} from '../src/net-table.mjs';

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

const rows = [
  { key: 'main', name: 'procmon', ns: 20e6 },
  { key: 'ss', name: 'ss', ns: 60e6 },
  { key: 'lsof', name: 'lsof', ns: 90e6 },
  { key: 'gone', name: 'connections', ns: null, why: 'no `connections` on this branch' },
];
const byKey = new Map(rows.map((r) => [r.key, r]));

describe('timeText and speedText', () => {
  it('picks ns, µs or ms and says faster or slower', () => {
    expect(timeText(412)).toBe('412 ns');
    expect(timeText(38_240)).toBe('38.2 µs');
    expect(timeText(61_400_000)).toBe('61.40 ms');
    expect(speedText(20, 50)).toBe('2.50x faster');
    expect(speedText(50, 20)).toBe('2.50x slower');
  });
});

describe('evaluate', () => {
  it('checks faster, within and under against the rows', () => {
    expect(evaluate(faster(2.5, '', 'main', 'ss'), byKey)).toEqual({
      shown: '3.00x as fast',
      met: true,
    });
    expect(evaluate(faster(5, '', 'main', 'lsof'), byKey)).toEqual({
      shown: '4.50x as fast',
      met: false,
    });
    expect(evaluate(within(1.3, '', 'ss', 'main'), byKey)).toEqual({
      shown: '3.00x the time',
      met: false,
    });
    expect(evaluate(under(100e3, '', 'main'), byKey)).toEqual({ shown: '20.00 ms', met: false });
  });

  it('says why a target was not measured, for either side', () => {
    expect(evaluate(faster(3, '', 'gone', 'ss'), byKey)).toEqual({
      unmeasured: 'no `connections` on this branch',
    });
    expect(evaluate(faster(3, '', 'main', 'gone'), byKey)).toEqual({
      unmeasured: 'gone: no `connections` on this branch',
    });
    expect(evaluate(faster(3, '', 'main', 'nowhere'), byKey)).toEqual({
      unmeasured: 'nowhere: no such row',
    });
  });
});

describe('NetReport', () => {
  it('prints the table with ratio columns, SKIPPED rows and targets, and keeps the lines', () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const report = new NetReport();
    report.table({
      name: 'machine',
      title: 'T',
      rows,
      refs: [{ key: 'main', label: 'procmon' }],
      targets: [faster(2.5, 'vs ss', 'main', 'ss'), faster(3, 'gone vs ss', 'gone', 'ss')],
    });
    report.finish();
    expect(report.lines).toEqual([
      '### T\n',
      '| row | time/op (median) | procmon vs this row | note |',
      '|---|--:|--:|---|',
      '| procmon | 20.00 ms | — |  |',
      '| ss | 60.00 ms | 3.00x faster |  |',
      '| lsof | 90.00 ms | 4.50x faster |  |',
      '| connections | — | — | SKIPPED: no `connections` on this branch |',
      '',
      '- target vs ss: 3.00x as fast: **met**',
      '- target gone vs ss: not measured (no `connections` on this branch)',
      '',
      '## Targets of issue #13\n',
      '| table | target | figure |',
      '|---|---|---|',
      '| machine | vs ss | 3.00x as fast: **met** |',
      '| machine | gone vs ss | not measured (no `connections` on this branch) |',
      '',
    ]);
    expect(process.exitCode).toBeUndefined();
  });

  it('lists problems at the end and sets the exit code', () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const report = new NetReport();
    report.problem('ss -tunap shows 3 sockets of the holder');
    report.finish();
    expect(report.lines).toEqual(['Problems:\n- ss -tunap shows 3 sockets of the holder\n']);
    expect(process.exitCode).toBe(1);
  });
});
