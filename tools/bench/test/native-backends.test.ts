// loadNativeBackend() takes the native backend whichever way @procmon/procfs offers it, and says
// why when it cannot; the ProcFS it builds reads what the kernel has.
import { readFileSync } from 'node:fs';
import * as procfsModule from '@procmon/procfs';
import { describe, expect, it } from 'vitest';
import { loadNativeBackend, procmonBackends, recordingProcFS } from '../src/native-backends.mjs';

const { nodeBackend } = procfsModule;
const withNative = (nativeBackend: unknown) => ({ ...procfsModule, nativeBackend });

describe('loadNativeBackend', () => {
  it('takes a Backend value', () => {
    expect(loadNativeBackend(withNative(nodeBackend))).toEqual({ backend: nodeBackend });
  });

  it('takes a function returning a Backend', () => {
    expect(loadNativeBackend(withNative(() => nodeBackend))).toEqual({ backend: nodeBackend });
  });

  it('says the package has no native backend when the export is missing', () => {
    const result = loadNativeBackend(withNative(undefined));
    expect(result.backend).toBeUndefined();
    expect(result.why).toMatch(/exports no nativeBackend/);
  });

  it('says the addon is not loadable when the function returns nothing', () => {
    const result = loadNativeBackend(withNative(() => undefined));
    expect(result.backend).toBeUndefined();
    expect(result.why).toMatch(/returned no backend/);
  });

  it("passes on the function's error", () => {
    const result = loadNativeBackend(
      withNative(() => {
        throw new Error('procfs.node: cannot open shared object file');
      }),
    );
    expect(result.backend).toBeUndefined();
    expect(result.why).toMatch(/threw: procfs\.node: cannot open shared object file/);
  });

  it('refuses a value that is not a Backend', () => {
    expect(loadNativeBackend(withNative(42)).why).toMatch(/is a number, not a Backend/);
    expect(loadNativeBackend(withNative({ perform: () => 0 })).why).toMatch(/is a object/);
  });
});

describe('procmonBackends', () => {
  it('gives native first, then node, each with a ProcFS that reads /proc', () => {
    const [native, node] = procmonBackends(withNative(() => nodeBackend));
    expect([native.key, node.key]).toEqual(['native', 'node']);
    const expected = readFileSync(`/proc/${process.pid}/cmdline`);
    for (const b of [native, node]) {
      expect(Buffer.from(b.procfs.readFile(process.pid, 'cmdline'))).toEqual(expected);
    }
  });

  it('gives the native entry no ProcFS, and the reason, when the backend is missing', () => {
    const [native, node] = procmonBackends(withNative(undefined));
    expect(native.procfs).toBeUndefined();
    expect(native.why).toMatch(/exports no nativeBackend/);
    expect(node.procfs).toBeDefined();
  });
});

describe('recordingProcFS', () => {
  it('records the ops a call makes, pid left out', async () => {
    const recording = recordingProcFS(nodeBackend);
    recording.procfs.readFile(process.pid, 'cmdline');
    await recording.procfs.promises.readFile(process.pid, 'stat');
    expect(recording.ops).toEqual(['read cmdline', 'read stat']);
    recording.reset();
    expect(recording.ops).toEqual([]);
  });
});
