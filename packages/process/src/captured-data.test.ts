// Captured data (a backend that carries a capture moment, as a snapshot's does) in the model:
// CPU samples and scan rows are read at the capture (the captured machine's uptime then), not
// on the monotonic clock as live; and no default socket lookup asks this kernel for its sockets.
import { type Backend, nodeBackend, ProcFS } from '@procmon/procfs';
import { describe, expect, it } from 'vitest';
import { monotonicSeconds, sampleSecondsOf } from './cpu.js';
import { Process } from './process.js';
import { scanProcesses, scanProcessesAsync } from './scan.js';

const CAPTURED_UPTIME = 86_400.25;

/** /proc read through node:fs, but said to be captured at CAPTURED_UPTIME. */
function capturedProcFS(): ProcFS {
  const facts = new ProcFS({ backend: nodeBackend }).machineFacts();
  const backend: Backend = {
    ...nodeBackend,
    name: 'captured',
    machineFacts: {
      ...facts,
      capturedAt: { wallMs: 1_700_000_000_000, uptimeSeconds: CAPTURED_UPTIME },
    },
  };
  return new ProcFS({ backend });
}

describe('sampleSecondsOf', () => {
  it('is the monotonic clock for live data, read between two readings of it', () => {
    const before = monotonicSeconds();
    const now = sampleSecondsOf(new ProcFS());
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(monotonicSeconds());
  });

  it("is the capture's uptime for captured data", () => {
    expect(sampleSecondsOf(capturedProcFS())).toBe(CAPTURED_UPTIME);
  });
});

describe('scan rows and CPU samples of captured data', () => {
  it('are read at the capture, sync and async', async () => {
    const procfs = capturedProcFS();
    const rows = scanProcesses({ procfs, fields: [] });
    const asyncRows = await scanProcessesAsync({ procfs, fields: [] });
    expect(rows.find((row) => row.pid === process.pid)).toBeDefined();
    expect(new Set([...rows, ...asyncRows].map((row) => row.readAt))).toEqual(
      new Set([CAPTURED_UPTIME]),
    );
    expect(Process.open(process.pid, { procfs }).cpuSample().takenAt).toBe(CAPTURED_UPTIME);
  });

  it('are read on the monotonic clock live', () => {
    const before = monotonicSeconds();
    const row = scanProcesses({ fields: [] }).find((entry) => entry.pid === process.pid);
    const sample = Process.open(process.pid).cpuSample();
    const after = monotonicSeconds();
    for (const at of [row?.readAt, sample.takenAt]) {
      expect(at).toBeGreaterThanOrEqual(before);
      expect(at).toBeLessThanOrEqual(after);
    }
  });
});

describe('the default socket lookup of captured data', () => {
  it('is none: this kernel never had its sockets (a snapshot names its resolver)', async () => {
    const { defaultSocketResolver } = await import('./sockets.js');
    expect(defaultSocketResolver(capturedProcFS())).toBeUndefined();
    expect(defaultSocketResolver(new ProcFS())).toBeDefined();
  });
});
