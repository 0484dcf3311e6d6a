// readExe decides "deleted" from the kernel, not from the ` (deleted)` text: real binaries the
// test starts, deletes, links and renames, and a twin whose real name ends in ` (deleted)`.

import { spawn } from 'node:child_process';
import { copyFileSync, linkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trackChild } from '../../../test-support/processes.js';
import {
  apiOf,
  bytesOf,
  call,
  cleanup,
  eventually,
  expected,
  fixtureProcFS,
  modes,
  plain,
  tempFolder,
  textOf,
} from '../test/helpers.js';
import { executableFrom } from './executable.js';
import { ProcFS } from './procfs.js';

afterAll(cleanup);

const procfs = new ProcFS();
const stat = (ino: bigint, nlink: bigint) => ({ dev: 8n, ino, nlink });
const MARKED = bytesOf('/bin/x (deleted)');

describe('executableFrom', () => {
  it('takes a link without the mark as it is', () => {
    expect(executableFrom(bytesOf('/bin/x'), undefined, undefined)).toEqual({
      path: bytesOf('/bin/x'),
      deleted: false,
      verified: true,
    });
  });

  it('says deleted when the running file has no name left', () => {
    const verdict = executableFrom(MARKED, stat(5n, 0n), 'ENOENT');
    expect({ ...verdict, path: textOf(verdict.path) }).toEqual({
      path: '/bin/x',
      deleted: true,
      verified: true,
    });
  });

  it('keeps the mark as part of the name when the marked name is the running file', () => {
    expect(executableFrom(MARKED, stat(5n, 1n), stat(5n, 1n))).toEqual({
      path: MARKED,
      deleted: false,
      verified: true,
    });
  });

  it('says deleted when another file, or none, has the marked name', () => {
    for (const named of [stat(6n, 1n), 'ENOENT', 'ENOTDIR']) {
      const verdict = executableFrom(MARKED, stat(5n, 2n), named);
      expect([textOf(verdict.path), verdict.deleted, verdict.verified]).toEqual([
        '/bin/x',
        true,
        true,
      ]);
    }
  });

  it('leaves the verdict unverified when the running file or the name cannot be examined', () => {
    for (const [exe, named] of [
      ['ENOENT', 'ENOENT'],
      [stat(5n, 1n), 'EACCES'],
      [stat(5n, 1n), 'ENAMETOOLONG'],
    ] as const) {
      const verdict = executableFrom(MARKED, exe, named);
      expect([textOf(verdict.path), verdict.deleted, verdict.verified]).toEqual([
        '/bin/x',
        true,
        false,
      ]);
    }
  });

  it('does not take the bare mark for a marked name', () => {
    expect(executableFrom(bytesOf(' (deleted)'), undefined, undefined).deleted).toBe(false);
  });
});

/** Starts `binary` (a copy of sleep) and waits until the process runs it. */
async function run(binary: string): Promise<number> {
  const child = trackChild(spawn(binary, ['60'], { stdio: 'ignore' }));
  const pid = child.pid as number;
  await eventually(() => {
    try {
      return textOf(procfs.readLink(pid, 'exe')).startsWith(binary) ? true : undefined;
    } catch {
      return undefined;
    }
  }, `process ${pid} to run ${binary}`);
  return pid;
}

/** A folder with a copy of sleep named `name`; returns the copy's path. */
function copyOfSleep(name: string): string {
  const path = join(tempFolder('procfs-exe-'), name);
  copyFileSync('/bin/sleep', path);
  return path;
}

describe.each(modes)('readExe of live processes (%s)', (mode) => {
  const api = apiOf(procfs, mode);
  const exeOf = async (pid: number) => {
    const verdict = await call(mode, () => api.readExe(pid));
    return { ...verdict, path: textOf(verdict.path) };
  };

  it('reports a binary whose real name ends in " (deleted)" as that name, not deleted', async () => {
    const twin = copyOfSleep('firefox (deleted)');
    // The file it would impersonate exists beside it.
    copyFileSync('/bin/sleep', join(twin, '..', 'firefox'));
    const pid = await run(twin);
    expect(await exeOf(pid)).toEqual({ path: twin, deleted: false, verified: true });
  });

  it('reports a binary deleted while it runs as deleted', async () => {
    const binary = copyOfSleep('firefox');
    const pid = await run(binary);
    unlinkSync(binary);
    expect(await exeOf(pid)).toEqual({ path: binary, deleted: true, verified: true });
  });

  it('reports a deleted binary that lives on under another hard link as deleted', async () => {
    const binary = copyOfSleep('firefox');
    const pid = await run(binary);
    linkSync(binary, join(binary, '..', 'kept'));
    unlinkSync(binary);
    expect(await exeOf(pid)).toEqual({ path: binary, deleted: true, verified: true });
  });

  it('is not fooled by a file named like the mark beside a deleted binary', async () => {
    const binary = copyOfSleep('firefox');
    const pid = await run(binary);
    linkSync(binary, join(binary, '..', 'kept'));
    unlinkSync(binary);
    writeFileSync(`${binary} (deleted)`, 'not the binary');
    expect(await exeOf(pid)).toEqual({ path: binary, deleted: true, verified: true });
  });

  it('reports a deleted binary whose real name ended in " (deleted)" with that name', async () => {
    const twin = copyOfSleep('firefox (deleted)');
    const pid = await run(twin);
    unlinkSync(twin);
    expect(await exeOf(pid)).toEqual({ path: twin, deleted: true, verified: true });
  });

  it('says a fixture tree cannot verify the mark', async () => {
    const fixture = apiOf(fixtureProcFS(), mode);
    const verdict = await call(mode, () => fixture.readExe(expected.deleted.pid));
    expect([plain(verdict.path), verdict.deleted, verdict.verified]).toEqual([
      bytesOf('/tmp/x'),
      true,
      false,
    ]);
  });
});
