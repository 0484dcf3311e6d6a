// The clock arithmetic of the identity check, against values worked out by hand, and against
// a live child whose start time the kernel wrote.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ProcFS } from '@procmon/procfs';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, exited, trackChild } from '../../../test-support/processes.js';
import { latestStartTicks, ticksOf, uptimeNs } from './clocks.js';

afterAll(cleanup);

describe('uptimeNs', () => {
  it('reads the first number of /proc/uptime in ns', () => {
    expect(uptimeNs(new TextEncoder().encode('12345.67 23456.78\n'))).toBe(12_345_670_000_000n);
    expect(uptimeNs(new TextEncoder().encode('0.05 0.00\n'))).toBe(50_000_000n);
  });

  it('refuses anything else with a TypeError quoting it', () => {
    expect(() => uptimeNs(new TextEncoder().encode('12345 1\n'))).toThrow(/"12345 1\\n"/);
    expect(() => uptimeNs(new Uint8Array())).toThrow(TypeError);
  });
});

describe('ticksOf', () => {
  it('rounds down as the kernel does', () => {
    expect(ticksOf(1_239_999_999n, 100)).toBe(123);
    expect(ticksOf(1_240_000_000n, 100)).toBe(124);
    expect(ticksOf(1_000_000_000n, 250)).toBe(250);
    expect(ticksOf(-1n, 100)).toBe(-1);
  });
});

describe('latestStartTicks', () => {
  it("bounds a child's start time from above after it started, not a second before", async () => {
    const procfs = new ProcFS();
    const before = process.hrtime.bigint() - 1_000_000_000n;
    const child = trackChild(spawn('sleep', ['30']));
    const text = readFileSync(`/proc/${child.pid}/stat`, 'latin1');
    const startTime = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[19]);
    const after = process.hrtime.bigint();
    expect(startTime).toBeLessThanOrEqual(procfs.run(latestStartTicks(procfs, after)));
    expect(startTime).toBeLessThanOrEqual(procfs.run(latestStartTicks(procfs, after, true)));
    expect(startTime).toBeGreaterThan(procfs.run(latestStartTicks(procfs, before)));
    child.kill('SIGKILL');
    await exited(child);
  });
});
