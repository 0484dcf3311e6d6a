// One descriptor whose target cannot be read must not hide the others: it becomes an entry
// with `error` set and an empty target. Only a listing that fails as a whole throws.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { apiOf, call, cleanup, modes, tempRoot, textOf } from '../test/helpers.js';
import { ProcfsError } from './errors.js';
import { ProcFS } from './procfs.js';

afterAll(cleanup);

// fd 1 is a plain file: readlink of it fails with EINVAL, as readlink of a target past PATH_MAX
// fails with ENAMETOOLONG on a live system.
describe.each(modes)('an unreadable descriptor (%s)', (mode) => {
  it('is an entry with an error, and the other descriptors are listed', async () => {
    const root = tempRoot({
      '1/stat': '1 (x) S 0 1 1 0 -1\n',
      '1/task/1/stat': '1 (x) S 0 1 1 0 -1\n',
    });
    for (const folder of [`${root}/1/fd`, `${root}/1/task/1/fd`]) {
      mkdirSync(folder);
      symlinkSync('pipe:[10]', `${folder}/0`);
      writeFileSync(`${folder}/1`, 'not a link');
      symlinkSync('socket:[20]', `${folder}/2`);
    }
    const api = apiOf(new ProcFS({ root }), mode);
    for (const run of [() => api.listFds(1), () => api.listTaskFds(1, 1)]) {
      const entries = (await call(mode, run)).sort((a, b) => a.fd - b.fd);
      expect(entries.map((entry) => entry.fd)).toEqual([0, 1, 2]);
      const [zero, one, two] = entries;
      expect(textOf(zero?.target as Uint8Array)).toBe('pipe:[10]');
      expect(zero?.error).toBeUndefined();
      expect(textOf(two?.target as Uint8Array)).toBe('socket:[20]');
      expect(one?.target).toEqual(new Uint8Array(0));
      expect(one?.error).toBeInstanceOf(ProcfsError);
      expect(one?.error?.code).toBe('EINVAL');
      expect(one?.error?.pid).toBe(1);
      expect(one?.error?.path).toMatch(/\/fd\/1$/);
    }
  });
});
