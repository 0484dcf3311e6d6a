// processChecksum trusts one read of /proc/<pid>/exe because a running binary cannot be opened for
// writing (ETXTBSY). That holds only while the process keeps its memory map: once it exits (a
// zombie has let go of it) or runs another program, the file can be rewritten during the read.
// So a checksum is returned only if, after the read, the process still runs the hashed file and
// is still running: here a real process dies mid-hash (it stays a zombie: its parent never
// reaps it), a real process runs another program mid-hash, and a stat that shows an exiting
// task stands in for the moment between letting go of memory and becoming a zombie.
import { spawn } from 'node:child_process';
import { appendFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessGoneError } from '@procmon/procfs';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { firstLine } from '../../../test-support/processes.js';
import {
  afterComm,
  changedStats,
  checksumOf,
  cleanup,
  codeOf,
  copySleep,
  errorOf,
  eventually,
  isSleeping,
  startSleeper,
  stateLetter,
  styles,
  tempFolder,
  toolDigest,
  trackChild,
} from '../test/helpers.js';
import { MultiHash } from './algorithms.js';
import { ChecksumCache, HashError, processChecksumAsync } from './index.js';

afterAll(cleanup);
afterEach(() => {
  vi.restoreAllMocks();
});

/** A copy of sleep 3 MiB long (zeros appended: it still runs), so a hash takes several chunks. */
function largeSleep(): string {
  const binary = copySleep(tempFolder());
  appendFileSync(binary, Buffer.alloc(3 * 1024 * 1024));
  return binary;
}

/**
 * `binary 60` started by a shell that then becomes `sleep 600`, which never waits for children:
 * once killed, the sleeper stays a zombie. Resolves once it sleeps.
 */
async function startOrphanedSleeper(binary: string): Promise<number> {
  const shell = trackChild(
    spawn('sh', ['-c', '"$1" 60 & echo $!; exec sleep 600', 'sh', binary], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );
  const pid = Number(await firstLine(shell));
  await eventually(() => (isSleeping(pid) ? true : undefined), `${binary} (pid ${pid}) to sleep`);
  return pid;
}

/** Waits, synchronously (the hash is in the middle of a chunk), until `test` holds. */
function waitSync(test: () => boolean, what: string): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 5000; i++) {
    if (test()) return;
    Atomics.wait(cell, 0, 0, 2);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Runs `action` when the first chunk of the next hash is fed to it. */
function onFirstChunk(action: () => void): void {
  let chunks = 0;
  const update = MultiHash.prototype.update;
  vi.spyOn(MultiHash.prototype, 'update').mockImplementation(function (
    this: MultiHash,
    bytes: Uint8Array,
  ) {
    if (++chunks === 1) action();
    update.call(this, bytes);
  });
}

describe.each(styles)('a process that exits while its binary is hashed (%s)', (style) => {
  it('is ProcessGoneError (a zombie), not a checksum; the cache keeps nothing', async () => {
    const pid = await startOrphanedSleeper(largeSleep());
    onFirstChunk(() => {
      process.kill(pid, 'SIGKILL');
      waitSync(() => stateLetter(pid) === 'Z', `process ${pid} to be a zombie`);
    });
    const cache = new ChecksumCache({ settleMs: 0 });
    const error = await errorOf(() => checksumOf(style, pid, ['sha256'], { cache }));
    expect(error).toBeInstanceOf(ProcessGoneError);
    expect((error as ProcessGoneError).zombie).toBe(true);
    expect(cache.size).toBe(0);
  });

  it('the same process, left alone, gives its checksum (the control)', async () => {
    const binary = largeSleep();
    const pid = await startOrphanedSleeper(binary);
    try {
      expect((await checksumOf(style, pid, ['sha256'])).checksums).toEqual({
        sha256: toolDigest('sha256', binary),
      });
    } finally {
      // Its parent never reaps it, and cleanup kills only the parent: it must not outlive the test.
      process.kill(pid, 'SIGKILL');
    }
  });
});

describe('two processes of one binary, hashed at once through a shared cache (async)', () => {
  it('the one that exits mid-hash fails; the other still gets its checksum', async () => {
    const binary = largeSleep();
    const dying = await startOrphanedSleeper(binary);
    const { pid: living } = await startSleeper(binary);
    onFirstChunk(() => {
      process.kill(dying, 'SIGKILL');
      waitSync(() => stateLetter(dying) === 'Z', `process ${dying} to be a zombie`);
    });
    const cache = new ChecksumCache({ settleMs: 0 });
    // The first call reads; the second waits for that read, which fails its confirmation.
    const [first, second] = await Promise.allSettled([
      processChecksumAsync(dying, ['sha256'], { cache }),
      processChecksumAsync(living, ['sha256'], { cache }),
    ]);
    expect(first.status === 'rejected' && first.reason).toBeInstanceOf(ProcessGoneError);
    expect(second).toEqual({
      status: 'fulfilled',
      value: expect.objectContaining({ checksums: { sha256: toolDigest('sha256', binary) } }),
    });
  });
});

describe.each(styles)(
  'a process that runs another program while its binary is hashed (%s)',
  (style) => {
    it('is HashError CHANGED: the checksum is of the file it ran before', async () => {
      // A shell waits for a file to appear, then replaces itself with sleep.
      const folder = tempFolder();
      const go = join(folder, 'go');
      const shell = trackChild(
        spawn(
          'sh',
          [
            '-c',
            'while [ ! -e "$1" ]; do sleep 0.01; done; exec "$2" 60',
            'sh',
            go,
            copySleep(folder),
          ],
          {
            stdio: 'ignore',
          },
        ),
      );
      await new Promise((resolve) => shell.once('spawn', resolve));
      const pid = shell.pid as number;
      const before = readlinkSync(`/proc/${pid}/exe`);
      onFirstChunk(() => {
        writeFileSync(go, '');
        waitSync(() => readlinkSync(`/proc/${pid}/exe`) !== before, `process ${pid} to exec`);
      });
      const error = await errorOf(() => checksumOf(style, pid, ['sha256']));
      expect(error).toBeInstanceOf(HashError);
      expect(codeOf(error)).toBe('CHANGED');
      expect((error as Error).message).toMatch(/another program/);
    });
  },
);

const PF_EXITING = 0x4;
const STATE = afterComm(3);
const FLAGS = afterComm(9);

describe.each(styles)('a stat after the read that shows (%s)', (style) => {
  it('an exiting task (PF_EXITING: memory let go, not yet a zombie) is ProcessGoneError', async () => {
    const procfs = changedStats(2, (fields) => {
      fields[FLAGS] = String(Number(fields[FLAGS]) | PF_EXITING);
    });
    const error = await errorOf(() => checksumOf(style, process.pid, ['sha256'], { procfs }));
    expect(error).toBeInstanceOf(ProcessGoneError);
    expect((error as Error).message).toMatch(/exiting/);
  });

  it('a zombie is ProcessGoneError with zombie set', async () => {
    const procfs = changedStats(2, (fields) => {
      // As the kernel shows one: a task that became a zombie went through do_exit (PF_EXITING).
      fields[STATE] = 'Z';
      fields[FLAGS] = String(Number(fields[FLAGS]) | PF_EXITING);
    });
    const error = await errorOf(() => checksumOf(style, process.pid, ['sha256'], { procfs }));
    expect(error).toBeInstanceOf(ProcessGoneError);
    expect((error as ProcessGoneError).zombie).toBe(true);
  });

  it('only the main thread exiting, the others running, gives the checksum', async () => {
    // pthread_exit: the process lives on in its other threads, which hold its memory.
    const procfs = changedStats(2, () => {});
    const exitMain = changedStats(
      2,
      (fields) => {
        // As the kernel shows a leader that called pthread_exit: a zombie, and exiting.
        fields[STATE] = 'Z';
        fields[FLAGS] = String(Number(fields[FLAGS]) | PF_EXITING);
      },
      { threads: false },
    );
    expect((await checksumOf(style, process.pid, ['sha256'], { procfs: exitMain })).source).toBe(
      'exe',
    );
    expect((await checksumOf(style, process.pid, ['sha256'], { procfs })).source).toBe('exe');
  });

  it('nothing of the kind gives the checksum (the control)', async () => {
    const procfs = changedStats(2, () => {});
    expect((await checksumOf(style, process.pid, ['sha256'], { procfs })).source).toBe('exe');
  });
});
