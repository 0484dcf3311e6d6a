// The memory source: only the executable regions of the binary (the same bytes in every process
// of one binary), every region read whole or no checksum at all (EIO), and the errors of a
// process that is gone or a zombie, or of a bad cap.
import { symlinkSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ProcessGoneError, ProcFS } from '@procmon/procfs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  codeOf,
  copySleep,
  errorOf,
  gonePid,
  startSleeper,
  startZombie,
  tempFolder,
  toolDigest,
} from '../test/helpers.js';
import { dumpImage, dumpImageAsync, HashError, hashImage, hashImageAsync } from './index.js';

afterAll(cleanup);

/** A fixture procfs root: pid 4242 maps /procmon-nowhere/foo r-xp at 0x1000-0x3000. */
async function fixture(memBytes: number): Promise<{ procfs: ProcFS; mem: Uint8Array }> {
  const root = tempFolder('procmon-hash-root-');
  const folder = join(root, '4242');
  await mkdir(folder);
  writeFileSync(
    join(folder, 'maps'),
    '00001000-00003000 r-xp 00000000 08:01 42 /procmon-nowhere/foo\n' +
      '00003000-00004000 rw-p 00002000 08:01 42 /procmon-nowhere/foo\n',
  );
  const mem = new Uint8Array(memBytes).map((_, i) => (i * 7) & 0xff);
  writeFileSync(join(folder, 'mem'), mem);
  symlinkSync(`/proc/${process.pid}/stat`, join(folder, 'stat'));
  return { procfs: new ProcFS({ root }), mem };
}

describe.each([
  ['sync', hashImage],
  ['async', hashImageAsync],
] as const)('hashImage (%s)', (_style, hash) => {
  it('hashes the executable regions only, whole', async () => {
    const { procfs, mem } = await fixture(0x4000);
    const file = join(tempFolder(), 'text.bin');
    writeFileSync(file, mem.subarray(0x1000, 0x3000));
    expect(await hash(4242, '/procmon-nowhere/foo', ['sha256'], { procfs })).toEqual({
      sha256: toolDigest('sha256', file),
    });
  });

  it('is HashError EIO, naming the region, when a region comes back short', async () => {
    const { procfs } = await fixture(0x2000);
    const error = await errorOf(() => hash(4242, '/procmon-nowhere/foo', ['sha256'], { procfs }));
    expect(error).toBeInstanceOf(HashError);
    expect(codeOf(error)).toBe('EIO');
    expect((error as Error).message).toContain('1000-3000 r-xp');
  });

  it('is the same for two processes of one copied binary, and not the file checksum', async () => {
    const binary = copySleep(tempFolder());
    const a = await startSleeper(binary);
    const b = await startSleeper(binary);
    const first = await hash(a.pid, binary, ['sha256']);
    expect(await hash(b.pid, binary, ['sha256'])).toEqual(first);
    expect(first.sha256).not.toBe(toolDigest('sha256', binary));
  });
});

describe.each([
  ['sync', dumpImage],
  ['async', dumpImageAsync],
] as const)('dumpImage (%s)', (_style, dump) => {
  it('of a zombie is ProcessGoneError (zombie)', async () => {
    const { parent, zombie } = await startZombie();
    try {
      const error = await errorOf(() => dump(zombie, '/usr/bin/sleep'));
      expect(error).toBeInstanceOf(ProcessGoneError);
      expect((error as ProcessGoneError).zombie).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('of a gone process is ProcessGoneError', async () => {
    expect(await errorOf(() => dump(gonePid(), '/usr/bin/sleep'))).toBeInstanceOf(ProcessGoneError);
  });

  it('with a maxBytes that is not a positive safe integer is a TypeError before any I/O', async () => {
    // An empty root: any read would fail with ProcessGoneError, not TypeError.
    const procfs = new ProcFS({ root: tempFolder('procmon-hash-empty-') });
    for (const maxBytes of [1.5, Number.NaN, -1, 0, Number.POSITIVE_INFINITY, 2 ** 53]) {
      const error = await errorOf(() => dump(4242, '/x', { procfs, maxBytes }));
      expect(error).toBeInstanceOf(TypeError);
    }
  });
});
