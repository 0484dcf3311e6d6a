// processState reads the state letter; a stat it cannot read a letter from is an error, never a
// guess of 'alive'.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcfsError } from './errors.js';
import { ProcFS } from './procfs.js';

const root = mkdtempSync(join(tmpdir(), 'procfs-state-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function withStat(pid: number, stat: string): void {
  mkdirSync(join(root, String(pid)), { recursive: true });
  writeFileSync(join(root, String(pid), 'stat'), stat);
}

describe('processState on crafted stat files', () => {
  const procfs = new ProcFS({ root });
  const cases: [number, string, string][] = [
    [10, '10 (a) S 1 10 10 0 -1\n', 'alive'],
    [11, '11 (a) b) Z 1 11 11 0 -1\n', 'zombie'],
    [12, '12 (x) X 1 12 12 0 -1\n', 'gone'],
    [13, '13 (t) t 1 13 13 0 -1\n', 'alive'],
  ];

  it.each(cases)('pid %i reads as its state letter says', async (pid, stat, expected) => {
    withStat(pid, stat);
    expect(procfs.processState(pid)).toBe(expected);
    expect(await procfs.promises.processState(pid)).toBe(expected);
  });

  it.each([
    [20, ''],
    [21, '21 (no close paren S 1'],
    [22, '22 (a)'],
    [23, '23 (a)S 1'],
  ])('pid %i with stat %j is an error naming the file', async (pid, stat) => {
    withStat(pid, stat);
    const path = `${root}/${pid}/stat`;
    for (const read of [() => procfs.processState(pid), () => procfs.promises.processState(pid)]) {
      const error = await Promise.resolve()
        .then(read)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(ProcfsError);
      expect((error as ProcfsError).code).toBe('EINVAL');
      expect((error as ProcfsError).path).toBe(path);
      expect((error as ProcfsError).message).toContain('has no state letter');
    }
  });

  it('says gone for a pid folder that is not there', () => {
    expect(procfs.processState(99)).toBe('gone');
  });
});
