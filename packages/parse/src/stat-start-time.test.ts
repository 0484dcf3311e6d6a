// statStartTime: a start time in ticks, with the machine's facts, as a date.
import { describe, expect, it } from 'vitest';
import { weirdComm } from '../test/expected/stat.js';
import { parseErrorOf } from '../test/helpers.js';
import { ParseError } from './errors.js';
import { statStartTime } from './stat.js';

describe('statStartTime', () => {
  it('adds the start ticks to the boot time, in milliseconds', () => {
    expect(statStartTime(weirdComm, { clockTicks: 100, bootTimeSeconds: 1_700_000_000 })).toBe(
      1_700_000_422_740,
    );
    expect(statStartTime({ startTime: 0 }, { clockTicks: 100, bootTimeSeconds: 5 })).toBe(5000);
  });

  it('keeps the fraction when the tick rate does not divide 1000', () => {
    expect(statStartTime({ startTime: 1 }, { clockTicks: 300, bootTimeSeconds: 0 })).toBe(
      1000 / 300,
    );
  });

  it('rejects clock ticks and boot times that are not usable numbers', () => {
    const bad: [number, number, string][] = [
      [0, 0, 'clockTicks'],
      [-100, 0, 'clockTicks'],
      [Number.NaN, 0, 'clockTicks'],
      [Number.POSITIVE_INFINITY, 0, 'clockTicks'],
      [100, -1, 'bootTimeSeconds'],
      [100, Number.NaN, 'bootTimeSeconds'],
    ];
    for (const [clockTicks, bootTimeSeconds, option] of bad) {
      const error = parseErrorOf(() =>
        statStartTime({ startTime: 1 }, { clockTicks, bootTimeSeconds }),
      );
      expect(error.message).toContain(`option ${option}`);
    }
    expect(() =>
      statStartTime(
        { startTime: 1 },
        undefined as unknown as { clockTicks: 1; bootTimeSeconds: 1 },
      ),
    ).toThrow(ParseError);
  });
});
