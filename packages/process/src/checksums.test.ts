// A binary copied to a temp folder, started, then deleted: the path is the original one without
// " (deleted)", the flag is set, realPath is the exe link (the file at the path, if any, is not
// the one that runs), and the checksums are those of
// the copy, computed by the system tools before it was deleted.
import { execFileSync } from 'node:child_process';
import { existsSync, unlinkSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanupAll,
  compileC,
  copyBinary,
  copyFixture,
  errorOf,
  rewriteStartTime,
  startHold,
  styles,
  tempFolder,
  twin,
  watchedBackend,
} from '../test/helpers.js';
import { PidReusedError, Process, ProcFS } from './index.js';

afterAll(cleanupAll);

/** `<tool> file` → the hex digest, as coreutils prints it. */
const toolDigest = (tool: string, file: string): string =>
  execFileSync(tool, [file], { encoding: 'utf8' }).split(' ')[0] as string;

async function startDeleted() {
  const binary = copyBinary(compileC('hold'), tempFolder(), 'procmon-deleted');
  const sha256 = toolDigest('sha256sum', binary);
  const md5 = toolDigest('md5sum', binary);
  const { pid } = await startHold(binary, []);
  unlinkSync(binary);
  expect(existsSync(binary)).toBe(false);
  return { binary, sha256, md5, pid };
}

describe.each(styles)('a child whose binary was deleted (%s)', (style) => {
  it('has the original path, deleted: true, realPath through the exe link', async () => {
    const { binary, pid } = await startDeleted();
    const process = Process.open(pid);
    const details = await twin(
      style,
      () => process.details(),
      () => process.detailsAsync(),
    );
    expect(details).toMatchObject({
      path: binary,
      realPath: `/proc/${pid}/exe`,
      deleted: true,
      pathSource: 'exe',
      args: [binary],
      failures: [],
    });
    expect(details.path.endsWith(' (deleted)')).toBe(false);
    const path = await twin(
      style,
      () => process.path(),
      () => process.pathAsync(),
    );
    expect(path).toEqual({
      path: binary,
      realPath: `/proc/${pid}/exe`,
      deleted: true,
      kernelThread: false,
      source: 'exe',
    });
  });

  it('has the checksums sha256sum and md5sum gave before the deletion, counted, kept and reset', async () => {
    const { sha256, md5, pid } = await startDeleted();
    const process = Process.open(pid);
    expect(process.checksumsCount).toBe(0);
    expect(process.checksumSource).toBeUndefined();
    const compute = (algorithms: string[]) =>
      twin(
        style,
        () => process.computeChecksums(algorithms),
        () => process.computeChecksumsAsync(algorithms),
      );
    expect(await compute(['sha256'])).toEqual({ sha256 });
    expect(process.checksumsCount).toBe(1);
    expect(process.checksumSource).toBe('exe');
    expect(await compute(['sha256', 'md5'])).toEqual({ sha256, md5 });
    expect(process.checksums).toEqual({ sha256, md5 });
    expect(process.checksumsCount).toBe(2);
    process.resetChecksums();
    expect(process.checksumsCount).toBe(0);
    expect(process.checksums).toEqual({});
    expect(process.checksumSource).toBeUndefined();
    expect(await compute(['md5'])).toEqual({ md5 });
  });
});

describe.each(styles)('checksums (%s) of a binary still on disk', (style) => {
  it('equal sha256sum of the file', async () => {
    const binary = copyBinary(compileC('hold'), tempFolder(), 'procmon-kept');
    const { pid } = await startHold(binary, []);
    const process = Process.open(pid);
    const checksums = await twin(
      style,
      () => process.computeChecksums(['sha256']),
      () => process.computeChecksumsAsync(['sha256']),
    );
    expect(checksums).toEqual({ sha256: toolDigest('sha256sum', binary) });
    expect(process.checksumSource).toBe('exe');
  });

  it('throw PidReusedError when the pid changed hands (fixture copy)', async () => {
    const fixture = copyFixture();
    const process = Process.open(100, { procfs: fixture.procfs });
    rewriteStartTime(fixture.root, 100, 4242);
    const error = await errorOf(() =>
      twin(
        style,
        () => process.computeChecksums(['sha256']),
        () => process.computeChecksumsAsync(['sha256']),
      ),
    );
    expect(error).toBeInstanceOf(PidReusedError);
    expect(process.checksumsCount).toBe(0);
  });
});

// /proc as it is, except that from the `reusedFrom`-th read of `pid`'s stat on, the start time is
// another one: the pid changed hands after the checksum's own reads, before the model's check.
class StatReusedAfterProcFS extends ProcFS {
  private statReads = 0;

  constructor(
    private readonly pid: number,
    private readonly reusedFrom: number,
  ) {
    super({ backend: watchedBackend((pid, name, bytes) => this.rewrite(pid, name, bytes)) });
  }

  private rewrite(pid: number, name: string, bytes: Uint8Array): Uint8Array {
    if (pid !== this.pid || name !== 'stat' || ++this.statReads < this.reusedFrom) return bytes;
    const text = new TextDecoder().decode(bytes);
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    fields[19] = String(Number(fields[19]) + 1); // field 22: the start time
    return new TextEncoder().encode(`${text.slice(0, close + 2)}${fields.join(' ')}`);
  }
}

describe.each(styles)('checksums (%s) when the pid changes hands during them', (style) => {
  it('are not kept: PidReusedError, and none is counted', async () => {
    const binary = copyBinary(compileC('hold'), tempFolder(), 'procmon-reused');
    const { pid } = await startHold(binary, []);
    // Reads of stat: 1 opens the process, 2 and 3 are the checksum's own before and after, 4 is
    // the model's check: from there on, another process holds the pid.
    const process = Process.open(pid, { procfs: new StatReusedAfterProcFS(pid, 4) });
    const error = await errorOf(() =>
      twin(
        style,
        () => process.computeChecksums(['sha256']),
        () => process.computeChecksumsAsync(['sha256']),
      ),
    );
    expect(error).toBeInstanceOf(PidReusedError);
    expect(process.checksumsCount).toBe(0);
    expect(process.checksums).toEqual({});
  });
});
