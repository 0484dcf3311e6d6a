// The events bench's arithmetic on inputs whose answers are worked out by hand: pid matching as
// multisets (a storm that reused a pid), forkstat's two lines per fork counted once, the figures
// of a listener and the tables' ratios.
import { describe, expect, it } from 'vitest';
import {
  execTable,
  forkstatPids,
  lessBy,
  listenerFigures,
  listenersTable,
  matchPids,
  stormTable,
} from '../src/events-figures.mjs';

describe('matchPids', () => {
  it('counts each expected pid once per time it was seen', () => {
    expect(matchPids([10, 11, 12], [12, 10, 99])).toBe(2);
    // The storm made pid 10 twice (pid reuse) and a listener saw it once: one match.
    expect(matchPids([10, 10, 11], [10, 11])).toBe(2);
    // Seen three times (another process got it later), made once: one match.
    expect(matchPids([10], [10, 10, 10])).toBe(1);
    expect(matchPids([], [1, 2])).toBe(0);
  });
});

describe('forkstatPids', () => {
  it('takes fork children, execs and exits, counting a fork once', () => {
    const events = [
      { event: 'fork', role: 'parent', pid: 5 },
      { event: 'fork', role: 'child', pid: 6 },
      { event: 'exec', pid: 6 },
      { event: 'exit', pid: 6 },
      { event: 'clone', role: 'parent', pid: 7 },
      { event: 'clone', role: 'thread', pid: 8 },
    ];
    expect(forkstatPids(events)).toEqual({
      forkPids: [6],
      execPids: [6],
      exitPids: [6],
      total: 4,
    });
  });
});

describe('listenerFigures', () => {
  it('matches a listener against the storm', () => {
    const storm = { childPids: [1, 2, 3, 4], forks: 4, seconds: 2 };
    const seen = { forkPids: [1, 2, 3, 4, 50], exitPids: [1, 2], total: 10 };
    expect(listenerFigures(seen, storm, 5)).toEqual({
      delivered: 10,
      perSecond: 3,
      stormForks: 4,
      stormExits: 2,
      stormMissed: 2,
      stormMissedShare: 0.25,
      cpuMs: 5,
      cpuMsPer1000: 500,
    });
  });

  it("counts the children's execs as storm events when the storm execs", () => {
    const storm = { childPids: [1, 2], forks: 2, seconds: 1 };
    const seen = { forkPids: [1, 2], exitPids: [1, 2], execPids: [2, 9], total: 7 };
    expect(listenerFigures(seen, storm, 7, { execs: true })).toMatchObject({
      perSecond: 5,
      stormExecs: 1,
      stormMissed: 1,
      stormMissedShare: 1 / 6,
      cpuMsPer1000: 1000,
    });
  });

  it('gives no CPU per event when nothing was delivered', () => {
    const storm = { childPids: [1], forks: 1, seconds: 1 };
    const figures = listenerFigures({ forkPids: [], exitPids: [], total: 0 }, storm, 3);
    expect(figures.cpuMsPer1000).toBeNull();
    expect(figures.stormMissed).toBe(2);
  });
});

describe('tables', () => {
  it('says how much less or more CPU per event', () => {
    expect(lessBy(1, 4)).toBe('4.00x less');
    expect(lessBy(3, 2)).toBe('1.50x more');
    expect(lessBy(0, 2)).toBe('—');
    expect(lessBy(null, 2)).toBe('—');
  });

  it('draws the listeners with procmon first and the ratio on the others', () => {
    const storm = { childPids: [1, 2], forks: 2, seconds: 1 };
    const rows = [
      {
        name: 'procmon',
        figures: listenerFigures({ forkPids: [1, 2], exitPids: [1, 2], total: 4 }, storm, 2),
        lossReports: '0 lost',
        delay: { median: 12_000, p99: 250_000 },
      },
      {
        name: 'forkstat',
        figures: listenerFigures({ forkPids: [1], exitPids: [1, 2], total: 4 }, storm, 8),
        lossReports: '0 nobufs',
        delay: undefined,
      },
    ];
    const [, , ours, theirs] = listenersTable(rows, storm);
    expect(ours).toBe(
      '| procmon | 4 | 4 | 2 of 2 | 2 of 2 | 0 (0.0%) | 0 lost | 2 | 500.00 | — | 12 µs | 250 µs |',
    );
    expect(theirs).toBe(
      '| forkstat | 4 | 3 | 1 of 2 | 2 of 2 | 1 (25.0%) | 0 nobufs | 8 | 2000.00 | procmon 4.00x less | — | — |',
    );
  });

  it('draws the exec storm with what enrichment read', () => {
    const storm = { childPids: [1, 2], forks: 2, seconds: 1 };
    const seen = { forkPids: [1, 2], exitPids: [1, 2], execPids: [1, 2], total: 6 };
    const [, , ours] = execTable(
      [
        {
          name: 'procmon',
          figures: listenerFigures(seen, storm, 3, { execs: true }),
          lossReports: '0 lost',
          delay: { median: 2000, p99: 9000 },
          details: { complete: 1, partial: 0, none: 1 },
        },
      ],
      storm,
    );
    expect(ours).toBe(
      '| procmon | 6 | 6 | 2 of 2 | 0 (0.0%) | 1 complete, 0 partly gone, 1 none | 0 lost | 3 | 500.00 | — | 2 µs | 9 µs |',
    );
  });

  it('compares each storm with the storm alone', () => {
    const lines = stormTable([
      { name: 'alone', workers: 2, forks: 1000, seconds: 1 },
      { name: 'listened', workers: 2, forks: 1500, seconds: 2 },
    ]);
    expect(lines[2]).toBe('| alone | 2 | 1,000 | 1.00 | 1,000 | — |');
    expect(lines[3]).toBe('| listened | 2 | 1,500 | 2.00 | 750 | 0.75x |');
  });
});

describe('Tally', () => {
  it('counts by type, keeps the pids and gives the delay median and p99', async () => {
    const { Tally } = await import('../src/events-tally.mjs');
    const tally = new Tally();
    // Delays: forks 1..100 µs, the exit 1 µs, exec and comm 0: 103 sorted as 0, 0, 1, 1, 2, ...
    // 100 µs; the median is index 51 (49 µs), the p99 index 101 (99 µs).
    for (let i = 1; i <= 100; i++) tally.event('fork', i, BigInt(i * 1000), 0n);
    tally.event('exit', 7, 2000n, 1000n);
    tally.event('exec', undefined, 1000n, 1000n);
    tally.event('comm', undefined, 1000n, 1000n);
    tally.loss('overrun');
    tally.loss('queue-full', 12);
    const summary = tally.summary({ user: 1500, system: 500 });
    expect(summary.counts).toEqual({ fork: 100, exec: 1, exit: 1, other: 1, lost: 2, resync: 0 });
    expect(summary.lost).toMatchObject({ overrun: 1, 'queue-full': 1, counted: 12 });
    expect(summary.forkPids).toHaveLength(100);
    expect(summary.exitPids).toEqual([7]);
    expect(summary.execPids).toEqual([]);
    expect(summary.cpuMs).toBe(2);
    expect(summary.delayNs).toEqual({ median: 49_000, p99: 99_000, max: 100_000, samples: 103 });
  });
});
