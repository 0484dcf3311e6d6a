// The order of `ps --forest`: children under their parents, depth first, siblings in the order
// given; a loop of parents (a hostile snapshot) shown once, as roots; and a chain of parents as
// deep as a snapshot may hold (it overflowed the call stack while the walk recursed).
import { describe, expect, it } from 'vitest';
import type { PsLine } from './ps-command.js';
import { forestOrder } from './ps-select.js';

const line = (pid: number, ppid: number) => ({ pid, ppid }) as PsLine;
const order = (lines: PsLine[]) => {
  const forest = forestOrder(lines);
  return forest.lines.map((shown, i) => [shown.pid, forest.depths[i]]);
};

describe('forestOrder', () => {
  it('puts children under their parents, siblings in the order given', () => {
    const lines = [line(1, 0), line(5, 1), line(3, 1), line(9, 5), line(7, 3), line(20, 99)];
    expect(order(lines)).toEqual([
      [1, 0],
      [5, 1],
      [9, 2],
      [3, 1],
      [7, 2],
      [20, 0],
    ]);
  });

  it('shows a loop of parents and a process that is its own parent once each, as roots', () => {
    const lines = [line(100, 101), line(101, 100), line(102, 102), line(103, 102)];
    expect(order(lines)).toEqual([
      [102, 0],
      [103, 1],
      [100, 0],
      [101, 1],
    ]);
  });

  it('walks a chain of 200000 parents without overflowing the stack', () => {
    const depth = 200_000;
    const lines = Array.from({ length: depth }, (_, i) => line(i + 1, i));
    const forest = forestOrder(lines);
    expect(forest.lines.map((shown) => shown.pid)).toEqual(lines.map((shown) => shown.pid));
    expect(forest.depths).toEqual(lines.map((_, i) => i));
  });
});
