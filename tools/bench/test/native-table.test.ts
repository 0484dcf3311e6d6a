// The native bench's tables: derived rows, ratios to the C floor and between rows, and targets
// checked for the native backend with the node backend's figure beside it, from known times.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { measureRows } from '../src/native-rows.mjs';
import { faster, NativeReport, within } from '../src/native-table.mjs';

const fixed = (key: string, median: number) => ({
  key,
  name: key,
  external: true,
  time: async () => ({ median, mean: median, samples: 1 }),
});
const plan = { rounds: 2, options: {}, minMs: 1 };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('measureRows', () => {
  it('keeps the order, derives rows after timing, and marks missing ones', async () => {
    const rows = await measureRows(
      [
        { key: 'native', name: 'native', why: 'native backend not available' },
        fixed('node', 300),
        fixed('trip', 50),
        {
          key: 'budget',
          name: 'budget',
          derive: (ns: (k: string) => number) => (ns('node') + ns('trip')) * 1.2,
        },
        {
          key: 'nativeBudget',
          name: 'nb',
          derive: (ns: (k: string) => number) => ns('native') * 2,
        },
      ],
      plan,
      {},
    );
    expect(rows.map((r: { key: string; ns: number | null }) => [r.key, r.ns])).toEqual([
      ['native', null],
      ['node', 300],
      ['trip', 50],
      ['budget', 420],
      ['nativeBudget', null],
    ]);
    expect(rows[0].why).toBe('native backend not available');
    expect(rows[4].why).toMatch(/computed from is missing/);
  });
});

describe('NativeReport', () => {
  const quiet = () => vi.spyOn(console, 'log').mockImplementation(() => {});
  const rows = [
    { key: 'native', name: 'procmon native', ns: 100 },
    { key: 'node', name: 'procmon node', ns: 250 },
    { key: 'psutil', name: 'psutil', ns: 400 },
    { key: 'c', name: 'C floor', ns: 80 },
  ];
  const targets = [
    within(
      1.3,
      'within 1.3x of the C floor',
      (b: string) => b,
      () => 'c',
    ),
    faster(
      2,
      '≥2x faster than psutil',
      (b: string) => b,
      () => 'psutil',
    ),
  ];

  it('prints ratios to the C floor and between the backends and every row', () => {
    quiet();
    const report = new NativeReport();
    report.table({ name: 'details', title: 'details', rows, targets });
    const text = report.lines.join('\n');
    expect(text).toContain('| procmon native | 100 | 1.25x | — | 2.50x slower |  |');
    expect(text).toContain('| procmon node | 250 | 3.13x | 2.50x faster | — |  |');
    expect(text).toContain('| psutil | 400 | 5.00x | 4.00x faster | 1.60x faster |  |');
    expect(text).toContain('| C floor | 80.0 | 1.00x | 1.25x slower | 3.13x slower |  |');
  });

  it('checks targets for native and shows node beside it', () => {
    quiet();
    const report = new NativeReport();
    report.table({ name: 'details', title: 'details', rows, targets });
    const text = report.lines.join('\n');
    expect(text).toContain(
      '- target within 1.3x of the C floor: native 1.25x the time: **met**; node 3.13x the time (would miss it)',
    );
    expect(text).toContain(
      '- target ≥2x faster than psutil: native 4.00x as fast: **met**; node 1.60x as fast (would miss it)',
    );
    report.finish();
    expect(report.lines).toContain(
      '| details | within 1.3x of the C floor | 1.25x the time: met | 3.13x the time: MISSED |',
    );
  });

  it('says a target is not measured when the native row is missing', () => {
    quiet();
    const report = new NativeReport();
    const withoutNative = [
      { key: 'native', name: 'procmon native', ns: null, why: 'native backend not available' },
      ...rows.slice(1),
    ];
    report.table({
      name: 'details',
      title: 'details',
      rows: withoutNative,
      targets: targets.slice(0, 1),
    });
    const text = report.lines.join('\n');
    expect(text).toContain(
      '| procmon native | — | — | — | — | not measured: native backend not available |',
    );
    expect(text).toContain(
      'native: not measured (native backend not available); node 3.13x the time (would miss it)',
    );
  });

  it('names the missing row a target is compared with', () => {
    quiet();
    const report = new NativeReport();
    const withoutPsutil = rows.map((row) =>
      row.key === 'psutil' ? { ...row, ns: null, why: 'import psutil failed' } : row,
    );
    report.table({
      name: 'details',
      title: 'details',
      rows: withoutPsutil,
      targets: targets.slice(1),
    });
    const text = report.lines.join('\n');
    expect(text).toContain(
      '- target ≥2x faster than psutil: native: not measured (psutil: import psutil failed); node: not measured (psutil: import psutil failed)',
    );
    report.finish();
    expect(report.lines).toContain(
      '| details | ≥2x faster than psutil | not measured | not measured |',
    );
  });
});
