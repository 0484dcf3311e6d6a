// Checksums at capture against the system's own tools: a copy of /bin/sleep the test made and
// started is captured with checksums, and the snapshot's digests are those sha256sum and md5sum
// give for the file. A kernel thread (no binary) is listed with the error code why.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exited, tempFolder, trackChild } from '../../../test-support/processes.js';
import { cleanup } from '../test/helpers.js';
import { readSnapshot } from './archive.js';
import { captureSnapshot } from './capture.js';
import type { Snapshot } from './tree.js';

afterAll(cleanup);

/** pid 2 is kthreadd wherever the test sees the host's kernel threads. */
const KTHREADD = 2;
const seesKernelThreads = (() => {
  try {
    return readFileSync(`/proc/${KTHREADD}/stat`, 'latin1').startsWith(`${KTHREADD} (kthreadd)`);
  } catch {
    return false;
  }
})();

let binary: string;
let pid: number;
let snapshot: Snapshot;

const systemDigest = (tool: string, file: string) =>
  execFileSync(tool, [file], { encoding: 'utf8' }).split(' ')[0];

beforeAll(async () => {
  binary = join(tempFolder('procmon-checksums-'), 'my-sleep');
  copyFileSync('/bin/sleep', binary);
  execFileSync('chmod', ['755', binary]);
  const child = trackChild(spawn(binary, ['1000'], { stdio: 'ignore' }));
  pid = child.pid as number;
  const pids = seesKernelThreads ? [pid, KTHREADD] : [pid];
  snapshot = await readSnapshot(await captureSnapshot({ pids, checksums: ['sha256', 'md5'] }));
  child.kill('SIGKILL');
  await exited(child);
});

describe('checksums at capture', () => {
  it("are those sha256sum and md5sum give for the process's binary", () => {
    expect(snapshot.checksums?.algorithms).toEqual(['sha256', 'md5']);
    const entry = snapshot.checksums?.processes.find((p) => p.pid === pid);
    expect(entry).toEqual({
      pid,
      path: binary,
      deleted: false,
      source: 'exe',
      checksums: { sha256: systemDigest('sha256sum', binary), md5: systemDigest('md5sum', binary) },
    });
  });

  it.skipIf(!seesKernelThreads)('give a kernel thread the error code why it has none', () => {
    const entry = snapshot.checksums?.processes.find((p) => p.pid === KTHREADD);
    expect(entry?.checksums).toBeUndefined();
    expect(entry?.error).toMatch(/^[A-Z][A-Z0-9_]+$/);
  });

  it('are not taken unless asked for', async () => {
    const plain = await readSnapshot(await captureSnapshot({ pids: [process.pid] }));
    expect(plain.checksums).toBeUndefined();
  });

  it('refuse an unknown algorithm before reading anything', async () => {
    await expect(captureSnapshot({ pids: [process.pid], checksums: ['sha257'] })).rejects.toThrow(
      /unknown hash algorithm "sha257"/,
    );
  });
});
