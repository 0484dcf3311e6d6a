import { describe, expect, test } from 'vitest';
import { SequenceGaps } from './sequence.js';

describe('SequenceGaps', () => {
  test('numbers are counted per CPU: interleaved CPUs are no gap', () => {
    const gaps = new SequenceGaps();
    const seen = [
      [0, 100],
      [1, 7],
      [0, 101],
      [1, 8],
      [0, 102],
    ].map(([cpu, seq]) => gaps.skippedBefore(cpu as number, seq as number));
    expect(seen).toEqual([0, 0, 0, 0, 0]);
  });

  test('a skipped number on one CPU is counted, with how many', () => {
    const gaps = new SequenceGaps();
    gaps.skippedBefore(0, 10);
    gaps.skippedBefore(1, 50);
    expect(gaps.skippedBefore(0, 14)).toBe(3);
    expect(gaps.skippedBefore(1, 51)).toBe(0);
    expect(gaps.skippedBefore(0, 15)).toBe(0);
  });

  test('the u32 counter wrapping is no gap; a number not ahead is no loss', () => {
    const gaps = new SequenceGaps();
    gaps.skippedBefore(0, 0xffffffff);
    expect(gaps.skippedBefore(0, 0)).toBe(0);
    expect(gaps.skippedBefore(0, 2)).toBe(1);
    expect(gaps.skippedBefore(0, 2)).toBe(0);
    expect(gaps.skippedBefore(0, 1)).toBe(0);
  });

  test('reset forgets every CPU', () => {
    const gaps = new SequenceGaps();
    gaps.skippedBefore(0, 10);
    gaps.reset();
    expect(gaps.skippedBefore(0, 20)).toBe(0);
  });
});
