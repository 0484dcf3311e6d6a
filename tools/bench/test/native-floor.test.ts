// The C floor does the work the bench says it does: its check value is what node:fs sees in the
// same files, links and folders of processes with known contents.
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnviron } from '../src/inputs.mjs';
import { compileFloor, runFloor } from '../src/native-floor.mjs';
import { startFdHolder, startSleeper, stop } from '../src/processes.mjs';

let binary: string;
let sleeper: { pid: number };

beforeAll(async () => {
  const compiled = compileFloor();
  if (compiled.problem) throw new Error(compiled.problem);
  binary = compiled.binary;
  sleeper = await startSleeper(makeEnviron(4096).bytes);
});
afterAll(async () => {
  if (sleeper) await stop(sleeper);
});

describe('C floor', () => {
  it('reads the 4,096-byte environ the sleeper was started with', () => {
    const result = runFloor(binary, 'read:environ', sleeper.pid, 0, 4);
    expect(result.check).toBe(4096);
    expect(result.samples).toBeGreaterThanOrEqual(12);
    expect(result.median).toBeGreaterThan(0);
  });

  it('reads each file to its end', () => {
    for (const name of ['stat', 'cmdline', 'statm', 'io']) {
      const expected = readFileSync(`/proc/${sleeper.pid}/${name}`).length;
      expect(runFloor(binary, `read:${name}`, sleeper.pid, 0, 1).check).toBe(expected);
    }
  });

  it('does the reads of details(): stat, cmdline, environ, cwd and exe', () => {
    const dir = `/proc/${sleeper.pid}`;
    const expected =
      readFileSync(`${dir}/stat`).length +
      readFileSync(`${dir}/cmdline`).length +
      readFileSync(`${dir}/environ`).length +
      Buffer.byteLength(readlinkSync(`${dir}/cwd`)) +
      Buffer.byteLength(readlinkSync(`${dir}/exe`));
    expect(runFloor(binary, 'details', sleeper.pid, 0, 1).check).toBe(expected);
  });

  it('lists every descriptor of a process holding a known number', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'native-floor-test-'));
    const file = path.join(dir, 'held');
    writeFileSync(file, 'x');
    const holder = await startFdHolder(300, file);
    try {
      expect(runFloor(binary, 'fds', holder.pid, 0, 1).check).toBe(300);
    } finally {
      await stop(holder);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sees at least the sleeper and this process in a scan', () => {
    // Other processes come and go; these two are alive throughout.
    expect(runFloor(binary, 'scan', 1, 0, 1).check).toBeGreaterThanOrEqual(2);
  });

  it('takes as many samples as asked when no time budget is given', () => {
    expect(runFloor(binary, 'read:stat', sleeper.pid, 0, 1, 3).samples).toBe(3);
    expect(runFloor(binary, 'read:stat', sleeper.pid, 0, 1).samples).toBe(12);
  });

  it('names what was wrong with a bad mode, count or a gone process', () => {
    expect(() => runFloor(binary, 'read:stat', sleeper.pid, 0, 1, 0)).toThrow(
      /PID, BATCH and MIN_SAMPLES must be positive/,
    );
    expect(() => runFloor(binary, 'write:environ', sleeper.pid, 0, 1)).toThrow(
      /unknown mode write:environ/,
    );
    expect(() => runFloor(binary, 'read:environ', 2 ** 22 + 1, 0, 1)).toThrow(
      /read:environ of pid 4194305 failed/,
    );
  });
});
