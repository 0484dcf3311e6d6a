// A process that exits while listFds walks its fd/ folder. node:fs is wrapped so that a hook
// runs right after the listing returns: it removes the process's folder (the process exited and
// was reaped) or turns it into a zombie, exactly between the readdir and the readlinks, on real
// files. A descriptor closed meanwhile may be left out (documented); a whole process that went
// away must not come back as a short or empty list. The hook lives in node:fs, so these reads go
// through nodeBackend under both test projects: what is tested is the flow's answer to the
// outcomes, which the native backend gives identically (native.test.ts compares the two).
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { apiOf, call, cleanup, errorOf, fdMap, modes, tempFolder } from '../test/helpers.js';
import { ProcessGoneError } from './errors.js';
import { nodeBackend } from './node-backend.js';
import { ProcFS } from './procfs.js';

const hook = vi.hoisted(() => ({ afterList: undefined as ((path: string) => void) | undefined }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const run = (path: unknown) => {
    const after = hook.afterList;
    if (after) {
      hook.afterList = undefined;
      after(String(path));
    }
  };
  return {
    ...fs,
    readdirSync: (...args: Parameters<typeof fs.readdirSync>) => {
      const names = fs.readdirSync(...args);
      run(args[0]);
      return names;
    },
    readdir: (path: string, ...rest: unknown[]) => {
      const callback = rest.pop() as (error: unknown, names: unknown) => void;
      (fs.readdir as (...args: unknown[]) => void)(
        path,
        ...rest,
        (error: unknown, names: unknown) => {
          run(path);
          callback(error, names);
        },
      );
    },
  };
});

afterEach(() => {
  hook.afterList = undefined;
});
afterAll(cleanup);

const pid = 777;
const statOf = (state: string) => `${pid} (victim) ${state} 1 ${pid} ${pid} 0 -1 0\n`;

/** A root with one live process holding three descriptors. */
function rootWithVictim(): string {
  const root = tempFolder('procfs-race-');
  mkdirSync(`${root}/${pid}/fd`, { recursive: true });
  writeFileSync(`${root}/${pid}/stat`, statOf('S'));
  symlinkSync('pipe:[11]', `${root}/${pid}/fd/0`);
  symlinkSync('socket:[12]', `${root}/${pid}/fd/1`);
  symlinkSync('/dev/null', `${root}/${pid}/fd/2`);
  return root;
}

describe.each(modes)('listFds while the process changes (%s)', (mode) => {
  it('leaves out a descriptor closed between the listing and its readlink', async () => {
    const root = rootWithVictim();
    hook.afterList = (path) => {
      expect(path).toBe(`${root}/${pid}/fd`);
      rmSync(`${root}/${pid}/fd/1`);
    };
    const fds = await call(mode, () =>
      apiOf(new ProcFS({ root, backend: nodeBackend }), mode).listFds(pid),
    );
    expect(fdMap(fds)).toEqual(
      new Map([
        [0, 'pipe:[11]'],
        [2, '/dev/null'],
      ]),
    );
  });

  // FAILS with the current code: every readlink fails with ENOENT, each is taken for "that
  // descriptor was closed", and listFds returns [] for a process that no longer exists.
  it('says the process is gone when it exits between the listing and the readlinks', async () => {
    const root = rootWithVictim();
    hook.afterList = () => rmSync(`${root}/${pid}`, { recursive: true });
    const error = await errorOf(mode, () =>
      apiOf(new ProcFS({ root, backend: nodeBackend }), mode).listFds(pid),
    );
    expect(error).toBeInstanceOf(ProcessGoneError);
    expect([(error as ProcessGoneError).pid, (error as ProcessGoneError).zombie]).toEqual([
      pid,
      false,
    ]);
  });

  // FAILS with the current code, for the same reason: [] instead of a zombie.
  it('says the process is a zombie when it becomes one between the listing and the readlinks', async () => {
    const root = rootWithVictim();
    hook.afterList = () => {
      rmSync(`${root}/${pid}/fd`, { recursive: true });
      mkdirSync(`${root}/${pid}/fd`);
      writeFileSync(`${root}/${pid}/stat`, statOf('Z'));
    };
    const error = await errorOf(mode, () =>
      apiOf(new ProcFS({ root, backend: nodeBackend }), mode).listFds(pid),
    );
    expect(error).toBeInstanceOf(ProcessGoneError);
    expect([(error as ProcessGoneError).pid, (error as ProcessGoneError).zombie]).toEqual([
      pid,
      true,
    ]);
  });
});
