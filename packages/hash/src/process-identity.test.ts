// processChecksum must hash the binary of the process it was asked about, or fail. When exe
// cannot be opened (the process exited, or runs in another mount namespace), the file found at
// the binary's path under root or on the host is taken only if it is the file the process maps
// (device and inode in maps); and a process whose start time changed while it was hashed (its
// pid now names another process) is ProcessGoneError, not a checksum.
import { readFileSync, statSync, symlinkSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProcessGoneError, ProcFS } from '@procmon/procfs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  afterComm,
  changedStats,
  checksumOf,
  cleanup,
  errorOf,
  type Style,
  styles,
  tempFolder,
  toolDigest,
} from '../test/helpers.js';
import { HashError, processChecksum, processChecksumAsync } from './index.js';

afterAll(cleanup);

const run = (style: Style, procfs: ProcFS) =>
  checksumOf(style, process.pid, ['sha256'], { procfs });

/**
 * A file at `inside` (an absolute path not on the host) under a new folder that stands for the
 * process's root; `file` is where it is on the host.
 */
async function fileUnderRoot(name: string, content: string) {
  const folder = tempFolder();
  const inside = `/procmon-hash-test-not-on-the-host/bin/${name}`;
  await mkdir(join(folder, 'procmon-hash-test-not-on-the-host/bin'), { recursive: true });
  const file = join(folder, inside);
  await writeFile(file, content);
  return { folder, inside, file };
}

/** A procfs root for this process whose exe does not resolve, with the given maps. */
async function fixtureRoot(exeTarget: string, rootFolder: string, maps: string): Promise<ProcFS> {
  const root = tempFolder('procmon-hash-root-');
  const folder = join(root, String(process.pid));
  await mkdir(folder);
  symlinkSync(exeTarget, join(folder, 'exe'));
  symlinkSync(rootFolder, join(folder, 'root'));
  await writeFile(join(folder, 'maps'), maps);
  for (const name of ['mem', 'stat', 'status']) {
    symlinkSync(`/proc/${process.pid}/${name}`, join(folder, name));
  }
  return new ProcFS({ root });
}

function mapsLine(file: string, pathname: string, inodeDelta = 0n): string {
  const { dev, ino } = statSync(file, { bigint: true });
  const major = Number((dev >> 8n) & 0xfffn) | Number((dev >> 32n) & ~0xfffn);
  const minor = Number(dev & 0xffn) | Number((dev >> 12n) & ~0xffn);
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return `7f0000000000-7f0000001000 r-xp 00000000 ${hex(major)}:${hex(minor)} ${ino + inodeDelta} ${pathname}\n`;
}

describe.each(styles)('the root and path sources (%s)', (style) => {
  it('refuse the file under root when the process maps another file at that path', async () => {
    // The file at the binary's path (under root) is not the one the process maps: another inode.
    const { folder, inside, file } = await fileUnderRoot('prog', 'another file at that path\n');
    const procfs = await fixtureRoot(inside, folder, mapsLine(file, inside, 1n));
    const error = await errorOf(() => run(style, procfs));
    expect(error).toBeInstanceOf(HashError);
    expect((error as HashError).code).toBe('NO_SOURCE');
    const attempts = (error as HashError).cause as { source: string; error: HashError }[];
    expect(attempts.map((attempt) => attempt.source)).toEqual(['exe', 'root', 'path', 'memory']);
    expect(attempts[1]?.error.code).toBe('MISMATCH');
  });

  it('refuse a file when maps cannot be read', async () => {
    const { folder, inside } = await fileUnderRoot('app', 'a file under root\n');
    const procfs = await fixtureRoot(inside, folder, '');
    const error = await errorOf(() => run(style, procfs));
    expect(error).toBeInstanceOf(HashError);
    const attempts = (error as HashError).cause as { source: string; error: HashError }[];
    expect(attempts[1]).toMatchObject({ source: 'root' });
    expect(attempts[1]?.error.code).toBe('MISMATCH');
  });

  it('take the file under root when it is the one maps names (device and inode)', async () => {
    const { folder, inside, file } = await fileUnderRoot('app', 'a file under root\n');
    const procfs = await fixtureRoot(inside, folder, mapsLine(file, inside));
    const result = await run(style, procfs);
    expect(result).toMatchObject({
      source: 'root',
      checksums: { sha256: toolDigest('sha256', file) },
    });
  });
});

const START_TIME = afterComm(22);

/** A procfs whose stat, from the 2nd read on, says the process started at another time. */
const reusedPid = () =>
  changedStats(
    2,
    (fields) => {
      fields[START_TIME] = String(Number(fields[START_TIME]) + 1);
    },
    { threads: false },
  );

describe('a pid that names another process by the time the binary is hashed', () => {
  it('is ProcessGoneError, sync', () => {
    const procfs = reusedPid();
    expect(() => processChecksum(process.pid, ['sha256'], { procfs })).toThrow(ProcessGoneError);
  });

  it('is ProcessGoneError, async', async () => {
    const procfs = reusedPid();
    await expect(processChecksumAsync(process.pid, ['sha256'], { procfs })).rejects.toBeInstanceOf(
      ProcessGoneError,
    );
  });

  it('the same process gives its checksum (the control)', () => {
    const binary = readFileSync(`/proc/${process.pid}/exe`);
    expect(binary.length).toBeGreaterThan(0);
    expect(processChecksum(process.pid, ['sha256']).source).toBe('exe');
  });
});
