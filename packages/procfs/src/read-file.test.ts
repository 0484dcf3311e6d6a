// Reading a file to its end: the size cap (EFBIG), files past the 64 KiB shared buffer and the
// 16 KiB first async buffer, and results that never share memory with the reused buffer or with
// each other.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  apiOf,
  call,
  cleanup,
  errorOf,
  expected,
  expectProcfsError,
  expectSameBytes,
  fixtureBytes,
  fixtureProcFS,
  fixtureRoot,
  modes,
  patternBytes,
  tempRoot,
} from '../test/helpers.js';
import { ProcfsError } from './errors.js';
import { ProcFS } from './procfs.js';
import { readFileToEnd, readFileToEndAsync } from './read-file.js';

afterAll(cleanup);

const { node } = expected;
const KiB = 1024;
// Around the first async buffer (16 KiB), the shared sync buffer (64 KiB), their doublings, and
// past the 1 MiB after which the shared buffer is dropped.
const sizes = [
  0,
  1,
  16 * KiB - 1,
  16 * KiB,
  16 * KiB + 1,
  64 * KiB - 1,
  64 * KiB,
  64 * KiB + 1,
  128 * KiB,
  128 * KiB + 1,
  200 * KiB,
  1024 * KiB + 1,
  2500 * KiB,
];
const files = Object.fromEntries(
  sizes.map((size, index) => [`1/size-${size}`, patternBytes(size, index)]),
);
// A stat that says alive: an empty file of a live process is its data.
const root = tempRoot({
  ...files,
  '1/small': 'small\n',
  '1/other': 'other\n',
  '1/stat': '1 (init) S 0 1 1 0 -1\n',
});
const contentOf = (name: string): Uint8Array => new Uint8Array(readFileSync(`${root}/1/${name}`));

describe.each(modes)('the size cap (%s)', (mode) => {
  const status = fixtureBytes(`${node.pid}/status`);
  const path = `${fixtureRoot}/${node.pid}/status`;

  it('refuses a file one byte past maxBytes with EFBIG naming the path and pid', async () => {
    const api = apiOf(fixtureProcFS(), mode);
    const error = await errorOf(mode, () =>
      api.readFile(node.pid, 'status', { maxBytes: status.length - 1 }),
    );
    expectProcfsError(error, { type: ProcfsError, pid: node.pid, path, code: 'EFBIG' });
    expect((error as ProcfsError).message).toContain(String(status.length - 1));
  });

  it('reads a file of exactly maxBytes bytes', async () => {
    const api = apiOf(fixtureProcFS(), mode);
    for (const maxBytes of [status.length, status.length + 1]) {
      expect(await call(mode, () => api.readFile(node.pid, 'status', { maxBytes }))).toEqual(
        status,
      );
    }
  });

  it('takes the cap from the constructor, and a call may raise it', async () => {
    const api = apiOf(fixtureProcFS({ maxBytes: 100 }), mode);
    expectProcfsError(await errorOf(mode, () => api.readFile(node.pid, 'status')), {
      type: ProcfsError,
      pid: node.pid,
      path,
      code: 'EFBIG',
    });
    expect(
      await call(mode, () => api.readFile(node.pid, 'status', { maxBytes: status.length })),
    ).toEqual(status);
  });

  it('caps machine-wide, net and task files too (pid undefined for machine-wide ones)', async () => {
    const api = apiOf(fixtureProcFS({ maxBytes: 10 }), mode);
    expectProcfsError(await errorOf(mode, () => api.readSystemFile('stat')), {
      type: ProcfsError,
      pid: undefined,
      path: `${fixtureRoot}/stat`,
      code: 'EFBIG',
    });
    expectProcfsError(await errorOf(mode, () => api.readNetFile('tcp')), {
      type: ProcfsError,
      pid: undefined,
      path: `${fixtureRoot}/net/tcp`,
      code: 'EFBIG',
    });
    expectProcfsError(await errorOf(mode, () => api.readTaskFile(node.pid, node.pid, 'stat')), {
      type: ProcfsError,
      pid: node.pid,
      path: `${fixtureRoot}/${node.pid}/task/${node.pid}/stat`,
      code: 'EFBIG',
    });
  });

  it('applies caps around the buffer sizes exactly', async () => {
    const api = apiOf(new ProcFS({ root }), mode);
    for (const size of sizes.filter((size) => size > 0 && size <= 200 * KiB)) {
      const name = `size-${size}`;
      expectSameBytes(
        await call(mode, () => api.readFile(1, name, { maxBytes: size })),
        contentOf(name),
      );
      if (size === 1) continue;
      expectProcfsError(await errorOf(mode, () => api.readFile(1, name, { maxBytes: size - 1 })), {
        type: ProcfsError,
        pid: 1,
        path: `${root}/1/${name}`,
        code: 'EFBIG',
      });
    }
  });
});

describe.each(modes)('large files (%s)', (mode) => {
  it.each(sizes)('reads a %i-byte file back exactly', async (size) => {
    const api = apiOf(new ProcFS({ root }), mode);
    const data = await call(mode, () => api.readFile(1, `size-${size}`));
    expect(data.length).toBe(size);
    expectSameBytes(data, contentOf(`size-${size}`));
  });

  it('reads a small file exactly after a large one (no bytes left over)', async () => {
    const api = apiOf(new ProcFS({ root }), mode);
    await call(mode, () => api.readFile(1, `size-${200 * KiB}`));
    expectSameBytes(await call(mode, () => api.readFile(1, 'small')), contentOf('small'));
    await call(mode, () => api.readFile(1, `size-${2500 * KiB}`));
    expectSameBytes(await call(mode, () => api.readFile(1, 'other')), contentOf('other'));
    expectSameBytes(
      await call(mode, () => api.readFile(1, `size-${64 * KiB + 1}`)),
      contentOf(`size-${64 * KiB + 1}`),
    );
  });

  it('reads correctly after a read that failed on its cap', async () => {
    const api = apiOf(new ProcFS({ root }), mode);
    const big = `size-${200 * KiB}`;
    await errorOf(mode, () => api.readFile(1, big, { maxBytes: 150 * KiB }));
    expectSameBytes(await call(mode, () => api.readFile(1, 'small')), contentOf('small'));
    expectSameBytes(await call(mode, () => api.readFile(1, big)), contentOf(big));
  });
});

describe.each(modes)('results own their memory (%s)', (mode) => {
  it('a mutated result does not change the next read of the same file', async () => {
    const api = apiOf(new ProcFS({ root }), mode);
    for (const name of ['small', `size-${64 * KiB - 1}`, `size-${200 * KiB}`]) {
      const first = await call(mode, () => api.readFile(1, name));
      first.fill(0xaa);
      expectSameBytes(await call(mode, () => api.readFile(1, name)), contentOf(name));
    }
  });

  it('two consecutive results do not alias each other', async () => {
    const api = apiOf(new ProcFS({ root }), mode);
    const a = await call(mode, () => api.readFile(1, 'small'));
    const b = await call(mode, () => api.readFile(1, 'other'));
    expect(a.buffer).not.toBe(b.buffer);
    b.fill(0);
    expect(a).toEqual(contentOf('small'));
    const c = await call(mode, () => api.readFile(1, 'small'));
    expect(c.buffer).not.toBe(a.buffer);
    a.fill(1);
    expect(c).toEqual(contentOf('small'));
  });

  it('a result is a plain Uint8Array over a buffer holding exactly its bytes', async () => {
    const api = apiOf(new ProcFS({ root }), mode);
    await call(mode, () => api.readFile(1, `size-${200 * KiB}`));
    const data = await call(mode, () => api.readFile(1, 'small'));
    expect(data.constructor).toBe(Uint8Array);
    // Nothing of an earlier read (or of the reused buffer) is reachable through data.buffer.
    expect([data.byteOffset, data.buffer.byteLength]).toEqual([0, data.length]);
  });
});

describe('overlapping reads', () => {
  it('concurrent async reads each get their own file', async () => {
    const api = new ProcFS({ root }).promises;
    const names = sizes.map((size) => `size-${size}`);
    const results = await Promise.all([...names, ...names].map((name) => api.readFile(1, name)));
    results.forEach((data, index) => {
      expectSameBytes(data, contentOf(names[index % names.length] as string));
    });
  });

  it('sync reads between the steps of async reads do not disturb either', async () => {
    const procfs = new ProcFS({ root });
    const big = `size-${200 * KiB}`;
    const pending = procfs.promises.readFile(1, big);
    const syncResults = [procfs.readFile(1, 'small'), procfs.readFile(1, big)];
    expectSameBytes(await pending, contentOf(big));
    expectSameBytes(syncResults[0] as Uint8Array, contentOf('small'));
    expectSameBytes(syncResults[1] as Uint8Array, contentOf(big));
  });
});

describe('readFileToEnd', () => {
  it('passes a Node fs error through for the caller to map', async () => {
    const target = { path: `${root}/1/missing`, pid: 1, maxBytes: 10 };
    for (const run of [() => readFileToEnd(target), () => readFileToEndAsync(target)]) {
      const error = await Promise.resolve()
        .then(run)
        .then(
          () => undefined,
          (reason: unknown) => reason,
        );
      expect(error).not.toBeInstanceOf(ProcfsError);
      expect((error as NodeJS.ErrnoException).code).toBe('ENOENT');
    }
  });
});
