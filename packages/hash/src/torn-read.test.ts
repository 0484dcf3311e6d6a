// A file rewritten in place while it is hashed must never give a digest of neither content. A
// child process rewrites a 4 MiB file owned by another user (uid 65534) in a loop, alternating
// between two contents of the same size; every hash must be the digest of one of them (computed
// with node:crypto from the bytes the test wrote), or HashError CHANGED. A stat before and after
// one read let torn digests through (6 of 294 calls): the kernel sets the timestamps when a
// write starts, not when it ends. Then the read policy itself: who may write a file decides
// whether one read is enough.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  cleanup,
  codeOf,
  eventually,
  sleepBinary,
  tempFolder,
  toolDigest,
  trackChild,
} from '../test/helpers.js';
import { MultiHash } from './algorithms.js';
import {
  ChecksumCache,
  HashError,
  hashFile,
  hashFileAsync,
  hashFileCached,
  hashFileCachedAsync,
} from './index.js';
import { RECENT_CHANGE_MS } from './read-policy.js';

const memoryFolders: string[] = [];
afterAll(async () => {
  for (const folder of memoryFolders) rmSync(folder, { recursive: true, force: true });
  await cleanup();
});

/**
 * A folder in memory (tmpfs) when there is one. On a disk, the kernel throttles a writer that
 * dirties pages faster than they are written back, for up to 200 ms a time: under CI's load (the
 * 1100 MiB file of hash-large.test.ts written meanwhile) one 4 MiB pwrite then stalls for more
 * than the read policy's one-second window, and the file holds the same torn mix for seconds,
 * which no number of reads can tell from content (see packages/hash/README.md, "What remains").
 * On tmpfs nothing throttles the writer: the test checks the policy, not the disk's load.
 */
function memoryFolder(): string {
  if (!existsSync('/dev/shm')) return tempFolder();
  const folder = mkdtempSync('/dev/shm/procmon-torn-');
  memoryFolders.push(folder);
  return folder;
}
afterEach(() => {
  vi.restoreAllMocks();
});

const SIZE = 4 * 1024 * 1024;
const CALLS = 200;

const isRoot = process.getuid?.() === 0;

describe('a file rewritten in place, over and over, by another user', () => {
  let path = '';
  let digests: string[] = [];

  beforeAll(async () => {
    const folder = memoryFolder();
    path = join(folder, 'binary');
    const contents = [randomBytes(SIZE), randomBytes(SIZE)];
    digests = contents.map((bytes) => createHash('sha256').update(bytes).digest('hex'));
    contents.forEach((bytes, i) => {
      writeFileSync(join(folder, `content${i}`), bytes);
    });
    writeFileSync(path, contents[0] as Buffer);
    // Another owner: as root, uid 65534; otherwise writable by group and others.
    if (isRoot) chownSync(path, 65534, 65534);
    else chmodSync(path, 0o666);
    const writer = [
      'import os, sys',
      'a = open(sys.argv[2], "rb").read(); b = open(sys.argv[3], "rb").read()',
      'fd = os.open(sys.argv[1], os.O_WRONLY)',
      'print("writing", flush=True)',
      'while True:',
      '    os.pwrite(fd, a, 0); os.pwrite(fd, b, 0)',
    ].join('\n');
    const child = trackChild(
      spawn('python3', ['-c', writer, path, join(folder, 'content0'), join(folder, 'content1')], {
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout?.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`the writer exited (${code})`)));
    });
  });

  const calls: [string, () => Promise<unknown>][] = [
    ['hashFile', async () => hashFile(path, ['sha256'])],
    ['hashFileAsync', () => hashFileAsync(path, ['sha256'])],
    ['hashFileCached', async () => hashFileCached(path, ['sha256'], new ChecksumCache())],
    ['hashFileCachedAsync', () => hashFileCachedAsync(path, ['sha256'], new ChecksumCache())],
  ];

  it.each(calls)(
    `${CALLS} calls of %s: each the digest of one content, or CHANGED`,
    async (_name, call) => {
      const outcomes = new Map<string, number>();
      for (let i = 0; i < CALLS; i++) {
        let outcome: string;
        try {
          const { sha256 } = (await call()) as { sha256: string };
          outcome = digests.includes(sha256)
            ? `content${digests.indexOf(sha256)}`
            : `torn ${sha256}`;
        } catch (error) {
          outcome =
            error instanceof HashError && error.code === 'CHANGED' ? 'CHANGED' : String(error);
        }
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
      const unexpected = [...outcomes.keys()].filter(
        (outcome) => !['content0', 'content1', 'CHANGED'].includes(outcome),
      );
      expect(unexpected, JSON.stringify([...outcomes])).toEqual([]);
    },
  );

  it('a cache keeps nothing of it', async () => {
    const cache = new ChecksumCache({ settleMs: 0 });
    for (let i = 0; i < 20; i++) {
      try {
        hashFileCached(path, ['sha256'], cache);
      } catch (error) {
        expect(codeOf(error)).toBe('CHANGED');
      }
    }
    // Whatever was kept is one of the two contents.
    expect(digests).toEqual(expect.arrayContaining([...new Set(cacheValues(cache))]));
  });
});

/** The digests a cache holds (through its internal map; test only). */
function cacheValues(cache: ChecksumCache): string[] {
  return [...(cache as unknown as { entries: Map<string, string> }).entries.values()];
}

/** Counts the passes over files from now on (one digest per pass). */
function countPasses(): { count: number } {
  const seen = { count: 0 };
  const digest = MultiHash.prototype.digest;
  vi.spyOn(MultiHash.prototype, 'digest').mockImplementation(function (this: MultiHash) {
    seen.count++;
    return digest.call(this);
  });
  return seen;
}

describe('how many times a file is read', () => {
  // Files another user owns, or that group and others may write, made first and then left until
  // their ctime is older than the window, so that only their owner or mode is at stake.
  let foreign = '';
  let writable = '';
  let settledRoot = '';

  beforeAll(async () => {
    const folder = tempFolder();
    foreign = join(folder, 'foreign');
    writable = join(folder, 'writable');
    settledRoot = join(folder, 'root');
    writeFileSync(foreign, 'owned by someone else\n');
    if (isRoot) chownSync(foreign, 65534, 65534);
    writeFileSync(writable, 'world-writable\n');
    chmodSync(writable, 0o666);
    writeFileSync(settledRoot, 'only root may write\n', { mode: 0o644 });
    const newest = () =>
      Math.max(
        ...[foreign, writable, settledRoot].map((file) =>
          Number(statSync(file, { bigint: true }).ctimeNs / 1_000_000n),
        ),
      );
    await eventually(
      () => (Date.now() - newest() > RECENT_CHANGE_MS ? true : undefined),
      'the files to be older than the window',
    );
  });

  it('once for a root file nobody else may write, unchanged for longer than the window', () => {
    for (const path of [sleepBinary, ...(isRoot ? [settledRoot] : [])]) {
      const stats = statSync(path, { bigint: true });
      expect(stats.uid).toBe(0n);
      expect(stats.mode & 0o022n).toBe(0n);
      expect(Date.now() - Number(stats.ctimeNs / 1_000_000n)).toBeGreaterThan(RECENT_CHANGE_MS);
      const passes = countPasses();
      expect(hashFile(path, ['sha256'])).toEqual({ sha256: toolDigest('sha256', path) });
      expect(passes.count).toBe(1);
      vi.restoreAllMocks();
    }
  });

  it.skipIf(!isRoot)('twice for a file another user owns', () => {
    const passes = countPasses();
    expect(hashFile(foreign, ['sha256'])).toEqual({ sha256: toolDigest('sha256', foreign) });
    expect(passes.count).toBe(2);
  });

  it('twice for a file group and others may write', async () => {
    const passes = countPasses();
    expect(await hashFileAsync(writable, ['sha256'])).toEqual({
      sha256: toolDigest('sha256', writable),
    });
    expect(passes.count).toBe(2);
  });

  it('for a file changed moments ago: twice, then once more after the window', async () => {
    // Even if only root may write it: a write of root's may be stalled in the middle.
    const path = join(tempFolder(), 'file');
    writeFileSync(path, 'just written\n', { mode: 0o644 });
    const passes = countPasses();
    expect(await hashFileAsync(path, ['sha256'])).toEqual({ sha256: toolDigest('sha256', path) });
    expect(passes.count).toBe(3);
    expect(
      Date.now() - Number(statSync(path, { bigint: true }).ctimeNs / 1_000_000n),
    ).toBeGreaterThanOrEqual(RECENT_CHANGE_MS);
  });
});
