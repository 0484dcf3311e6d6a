// readNamespace: the namespace links of live processes, compared with what plain fs reads, and
// the checks before any read.
import { readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { call, errorOf, modes, textOf } from '../test/helpers.js';
import { ProcFS } from './procfs.js';

const procfs = new ProcFS();

describe.each(modes)('readNamespace (%s)', (mode) => {
  const read = (pid: number | 'self', type: 'net' | 'mnt' | 'pid') =>
    call(mode, () =>
      mode === 'sync'
        ? procfs.readNamespace(pid, type)
        : procfs.runAsync(procfs.flows.readNamespace(pid, type)),
    );

  it('gives the link plain fs reads, for a pid and for self', async () => {
    for (const type of ['net', 'mnt', 'pid'] as const) {
      const truth = readlinkSync(`/proc/${process.pid}/ns/${type}`);
      expect(textOf(await read(process.pid, type))).toBe(truth);
      expect(textOf(await read('self', type))).toBe(truth);
    }
  });

  it('refuses a bad pid or an unknown type before any read', async () => {
    const run = (pid: number, type: 'net') =>
      mode === 'sync'
        ? procfs.readNamespace(pid, type)
        : procfs.runAsync(procfs.flows.readNamespace(pid, type));
    expect(await errorOf(mode, () => run(-1, 'net'))).toBeInstanceOf(TypeError);
    expect(await errorOf(mode, () => run(1, '../x' as 'net'))).toBeInstanceOf(TypeError);
  });
});

describe('pathOf', () => {
  it('joins checked names under the root, and refuses a name with "/"', () => {
    expect(procfs.pathOf(42, 'ns', 'net')).toBe('/proc/42/ns/net');
    expect(() => procfs.pathOf(42, 'ns/net')).toThrow(TypeError);
    expect(() => procfs.pathOf(-1, 'exe')).toThrow(TypeError);
  });
});
