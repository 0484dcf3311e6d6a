// The one-call readers, sync and async, against a child whose arguments, environment, cwd,
// binary and descriptors the test chose; bad pids refused before any I/O; a pid that names no
// process.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessGoneError, ProcFS } from '@procmon/procfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupAll,
  compileC,
  copyBinary,
  errorOf,
  startHold,
  statOf,
  styles,
  tempFolder,
  twin,
} from '../test/helpers.js';
import * as readers from './index.js';

afterAll(cleanupAll);

const pageSize = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }));

describe('readers of a known child', () => {
  let binary: string;
  let cwd: string;
  let file: string;
  let pid: number;

  beforeAll(async () => {
    const folder = tempFolder();
    binary = copyBinary(compileC('hold'), folder, 'procmon-reader');
    cwd = tempFolder('procmon-reader-cwd-');
    file = join(folder, 'held.txt');
    writeFileSync(file, 'held');
    const fd = openSync(file, 'r');
    ({ pid } = await startHold(binary, ['a b', '', 'c'], {
      cwd,
      env: { ONE: '1', EQ: 'x=y' },
      stdio: ['pipe', 'pipe', 'inherit', fd],
    }));
    closeSync(fd);
  });

  describe.each(styles)('(%s)', (style) => {
    it('readEnviron: the environment given', async () => {
      const environ = await twin(
        style,
        () => readers.readEnviron(pid),
        () => readers.readEnvironAsync(pid),
      );
      expect(environ.get('ONE')).toBe('1');
      expect(environ.get('EQ')).toBe('x=y');
      expect(environ.size).toBe(2);
    });

    it('readCmdline: the arguments given', async () => {
      expect(
        await twin(
          style,
          () => readers.readCmdline(pid),
          () => readers.readCmdlineAsync(pid),
        ),
      ).toEqual([binary, 'a b', '', 'c']);
    });

    it('readCwd, readExe, readRoot and readComm: the cwd, binary, / and its name', async () => {
      const [cwdRead, exe, root, comm] = await Promise.all([
        twin(
          style,
          () => readers.readCwd(pid),
          () => readers.readCwdAsync(pid),
        ),
        twin(
          style,
          () => readers.readExe(pid),
          () => readers.readExeAsync(pid),
        ),
        twin(
          style,
          () => readers.readRoot(pid),
          () => readers.readRootAsync(pid),
        ),
        twin(
          style,
          () => readers.readComm(pid),
          () => readers.readCommAsync(pid),
        ),
      ]);
      expect({ cwd: cwdRead, exe, root, comm }).toEqual({
        cwd,
        exe: binary,
        root: '/',
        comm: 'procmon-reader',
      });
    });

    it('readStat: pid, ppid, comm and the start time', async () => {
      const stat = await twin(
        style,
        () => readers.readStat(pid),
        () => readers.readStatAsync(pid),
      );
      expect(stat).toMatchObject({
        pid,
        ppid: process.pid,
        comm: 'procmon-reader',
        startTime: statOf(pid).startTime,
      });
    });

    it('readStatm: bytes are pages times the page size', async () => {
      const statm = await twin(
        style,
        () => readers.readStatm(pid),
        () => readers.readStatmAsync(pid),
      );
      expect(statm.pages.size).toBeGreaterThan(0);
      for (const [name, pages] of Object.entries(statm.pages)) {
        expect(statm.bytes[name as keyof typeof statm.bytes]).toBe(pages * pageSize);
      }
      const explicit = await twin(
        style,
        () => readers.readStatm(pid, { pageSize: 65536 }),
        () => readers.readStatmAsync(pid, { pageSize: 65536 }),
      );
      expect(explicit.bytes.size).toBe(explicit.pages.size * 65536);
    });

    it('readIo: seven bigint counters', async () => {
      const io = await twin(
        style,
        () => readers.readIo(pid),
        () => readers.readIoAsync(pid),
      );
      expect(Object.keys(io)).toHaveLength(7);
      for (const value of Object.values(io)) expect(typeof value).toBe('bigint');
    });

    it('readStatus, readMaps and readStack', async () => {
      const [status, maps, stack] = await Promise.all([
        twin(
          style,
          () => readers.readStatus(pid),
          () => readers.readStatusAsync(pid),
        ),
        twin(
          style,
          () => readers.readMaps(pid),
          () => readers.readMapsAsync(pid),
        ),
        twin(
          style,
          () => readers.readStack(pid),
          () => readers.readStackAsync(pid),
        ),
      ]);
      expect(status).toMatchObject({ name: 'procmon-reader', pid, ppid: process.pid });
      expect(maps.some((entry) => entry.pathname === binary)).toBe(true);
      expect(stack).toBe(readFileSync(`/proc/${pid}/stack`, 'utf8'));
    });

    it('readFds: the file the child holds at fd 3', async () => {
      const fds = await twin(
        style,
        () => readers.readFds(pid),
        () => readers.readFdsAsync(pid),
      );
      expect(fds.find((descriptor) => descriptor.fd === 3)).toEqual({
        fd: 3,
        target: { type: 'file', path: file, deleted: false },
      });
    });
  });
});

type AnyReader = (pid: number, options?: object) => unknown;

/** Every reader: its name, sync twin and async twin. */
const allReaders: [string, AnyReader, (pid: number, options?: object) => Promise<unknown>][] = [
  ['readStat', readers.readStat, readers.readStatAsync],
  ['readStatm', readers.readStatm, readers.readStatmAsync],
  ['readIo', readers.readIo, readers.readIoAsync],
  ['readEnviron', readers.readEnviron, readers.readEnvironAsync],
  ['readCmdline', readers.readCmdline, readers.readCmdlineAsync],
  ['readStatus', readers.readStatus, readers.readStatusAsync],
  ['readMaps', readers.readMaps, readers.readMapsAsync],
  ['readComm', readers.readComm, readers.readCommAsync],
  ['readStack', readers.readStack, readers.readStackAsync],
  ['readExe', readers.readExe, readers.readExeAsync],
  ['readCwd', readers.readCwd, readers.readCwdAsync],
  ['readRoot', readers.readRoot, readers.readRootAsync],
  ['readFds', readers.readFds, readers.readFdsAsync],
];

describe('bad pids', () => {
  // A ProcFS on an empty folder: a read that got as far as I/O would fail with a ProcfsError.
  const empty = () => new ProcFS({ root: tempFolder('procmon-empty-root-') });

  it.each([-1, 0, 1.5, Number.NaN])(
    'pid %s is a TypeError from every reader, sync and async',
    async (pid) => {
      const procfs = empty();
      for (const [name, sync, async] of allReaders) {
        expect(() => sync(pid, { procfs }), name).toThrow(TypeError);
        expect(await errorOf(() => async(pid, { procfs })), `${name}Async`).toBeInstanceOf(
          TypeError,
        );
      }
    },
  );

  it('a pid above pid_max is a ProcessGoneError (ENOENT), not a TypeError', async () => {
    const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
    const pid = 999999999;
    expect(pid).toBeGreaterThan(pidMax);
    for (const [name, sync, async] of allReaders) {
      for (const error of [await errorOf(() => sync(pid)), await errorOf(() => async(pid))]) {
        expect(error, name).toBeInstanceOf(ProcessGoneError);
        expect((error as ProcessGoneError).code, name).toBe('ENOENT');
        expect((error as ProcessGoneError).pid, name).toBe(pid);
      }
    }
  });
});
