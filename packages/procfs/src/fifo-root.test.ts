// Under a root that is not /proc (a fixture tree, a copy someone else made), a file may be a
// FIFO. Opening one for reading waits for a writer forever; every read opens with O_NONBLOCK, so
// a FIFO reads as empty and the caller gets a typed error, on both backends, sync and async.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, tempFolder } from '../test/helpers.js';
import { ProcfsError } from './errors.js';
import { ProcFS } from './procfs.js';

afterAll(cleanup);

/** A root whose process 123 has FIFOs for `stat` and `environ`, and a real `cmdline`. */
function fifoRoot(): string {
  const root = tempFolder('procfs-fifo-');
  mkdirSync(join(root, '123'));
  execFileSync('mkfifo', [join(root, '123', 'stat'), join(root, '123', 'environ')]);
  writeFileSync(join(root, '123', 'cmdline'), 'sleep\0');
  return root;
}

describe('a FIFO where a /proc file should be', () => {
  const procfs = new ProcFS({ root: fifoRoot() });
  const noStateLetter = expect.objectContaining({
    code: 'EINVAL',
    message: expect.stringContaining('123/stat has no state letter'),
  });

  it('stat: a ProcfsError saying it has no state letter, sync and async', async () => {
    expect(() => procfs.readFile(123, 'stat')).toThrow(ProcfsError);
    expect(() => procfs.readFile(123, 'stat')).toThrow(noStateLetter);
    await expect(procfs.promises.readFile(123, 'stat')).rejects.toThrow(noStateLetter);
  });

  it('environ reads as empty, so the stat is asked: the same error', async () => {
    expect(() => procfs.readFile(123, 'environ')).toThrow(noStateLetter);
    await expect(procfs.promises.readFile(123, 'environ')).rejects.toThrow(noStateLetter);
  });

  it('a regular file beside them still reads', async () => {
    expect(new TextDecoder().decode(procfs.readFile(123, 'cmdline'))).toBe('sleep\0');
    expect(new TextDecoder().decode(await procfs.promises.readFile(123, 'cmdline'))).toBe(
      'sleep\0',
    );
  });
});
