// What goes wrong, said precisely: a missing file is HashError ENOENT with its path, a folder is
// HashError EISDIR, a process that does not exist (or is a zombie) is ProcessGoneError from
// @procmon/procfs, never an empty or made-up checksum.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessGoneError, ProcfsError } from '@procmon/procfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  codeOf,
  errorOf,
  exited,
  gonePid,
  startZombie,
  tempFolder,
} from '../test/helpers.js';
import {
  ChecksumCache,
  dumpImage,
  HashError,
  hashFile,
  hashFileAsync,
  hashFileCached,
  processChecksum,
  processChecksumAsync,
} from './index.js';

afterAll(cleanup);

let folder = '';
beforeAll(() => {
  folder = tempFolder();
  mkdirSync(join(folder, 'a-folder'));
});

function expectHashError(error: unknown, path: string, code: string): void {
  expect(error).toBeInstanceOf(HashError);
  expect(error).toBeInstanceOf(Error);
  const hashError = error as HashError;
  expect(hashError.name).toBe('HashError');
  expect({ path: hashError.path, code: hashError.code }).toEqual({ path, code });
  expect(hashError.message).toContain(path);
  expect(codeOf(hashError.cause)).toBe(code);
}

const fileCalls: [string, (path: string) => unknown][] = [
  ['hashFile', (path) => hashFile(path, ['sha256'])],
  ['hashFileAsync', (path) => hashFileAsync(path, ['sha256'])],
  ['hashFileCached', (path) => hashFileCached(path, ['sha256'], new ChecksumCache())],
];

describe.each(fileCalls)('%s', (_name, call) => {
  it('on a missing file is a HashError with code ENOENT and the path', async () => {
    const path = join(folder, 'no-such-file');
    expectHashError(await errorOf(() => call(path)), path, 'ENOENT');
  });

  it('on a file in a missing folder is a HashError with code ENOENT and the path', async () => {
    const path = join(folder, 'no-such-folder', 'file');
    expectHashError(await errorOf(() => call(path)), path, 'ENOENT');
  });

  it('on a folder is a HashError with code EISDIR and the path', async () => {
    const path = join(folder, 'a-folder');
    expectHashError(await errorOf(() => call(path)), path, 'EISDIR');
  });

  it('through a file used as a folder is a HashError with code ENOTDIR', async () => {
    const path = '/etc/passwd/x';
    expectHashError(await errorOf(() => call(path)), path, 'ENOTDIR');
  });
});

describe('a process that does not exist', () => {
  it('is a ProcessGoneError from processChecksum and processChecksumAsync', async () => {
    const pid = gonePid();
    for (const call of [
      () => processChecksum(pid, ['sha256']),
      () => processChecksumAsync(pid, ['sha256']),
    ]) {
      const error = await errorOf(call);
      expect(error).toBeInstanceOf(ProcessGoneError);
      expect((error as ProcessGoneError).pid).toBe(pid);
      expect((error as ProcessGoneError).zombie).toBe(false);
    }
  });

  it('is a ProcessGoneError from dumpImage', async () => {
    const pid = gonePid();
    const error = await errorOf(() => dumpImage(pid, '/usr/bin/sleep'));
    expect(error).toBeInstanceOf(ProcessGoneError);
    expect((error as ProcessGoneError).pid).toBe(pid);
  });

  it('is a ProcessGoneError (zombie) for a zombie, not a checksum of something else', async () => {
    const { parent, zombie } = await startZombie();
    try {
      for (const call of [
        () => processChecksum(zombie, ['sha256']),
        () => processChecksumAsync(zombie, ['sha256']),
      ]) {
        const error = await errorOf(call);
        expect(error).toBeInstanceOf(ProcfsError);
        expect(error).toBeInstanceOf(ProcessGoneError);
        expect((error as ProcessGoneError).zombie).toBe(true);
      }
    } finally {
      parent.kill('SIGKILL');
      await exited(parent);
    }
  });
});
