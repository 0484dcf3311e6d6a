// The native backend against nodeBackend, the reference: for every op, in every call style
// (single and batched, sync and async), the same values and the same errors (class, message,
// code, errno, syscall, path) on the same paths; fresh bytes for every result; the cap; files
// past the reused buffer; batches where some ops fail; no descriptor left open.
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  expected,
  fixtureRoot,
  openFdCount,
  patternBytes,
  spawnReady,
  startZombie,
  tempRoot,
} from '../test/helpers.js';
import { bothBackends, errorFacts, outcomesOf, requireNative, styles } from '../test/outcomes.js';
import { PACKAGE_ROOT } from './addon.js';
import type { Op } from './ops.js';
import { ProcFS } from './procfs.js';

const native = requireNative();
afterAll(cleanup);

const { node: captured } = expected;
const KiB = 1024;

describe('every result is a fresh copy', () => {
  const root = tempRoot({ a: patternBytes(5000, 1), 'b/c': 'x' });

  it.each(styles)(
    '%s: mutating one read leaves the other, and the file, unchanged',
    async (style) => {
      const ops: Op[] = [
        { kind: 'read', path: 'a', maxBytes: 1e6 },
        { kind: 'read', path: 'a', maxBytes: 1e6 },
      ];
      const [first, second] = await outcomesOf(native, style, ops, root);
      if (!first?.ok || !second?.ok) throw new Error('the reads failed');
      const one = first.value as Uint8Array;
      const two = second.value as Uint8Array;
      one.fill(0);
      expect(two).toEqual(patternBytes(5000, 1));
      // Each has a buffer of its own, exactly its size: no view into a shared one.
      expect(one.buffer).not.toBe(two.buffer);
      expect([one.byteOffset, one.buffer.byteLength, two.buffer.byteLength]).toEqual([
        0, 5000, 5000,
      ]);
    },
  );

  it("through ProcFS: two reads of this process's cmdline", async () => {
    const procfs = new ProcFS({ backend: native });
    const truth = new Uint8Array(readFileSync('/proc/self/cmdline'));
    const one = procfs.readFile(process.pid, 'cmdline');
    const two = await procfs.promises.readFile(process.pid, 'cmdline');
    one.fill(1);
    expect(two).toEqual(truth);
    expect(procfs.readFile(process.pid, 'cmdline')).toEqual(truth);
  });
});

describe('maxBytes', () => {
  const root = tempRoot({ thousand: patternBytes(1000), empty: '', one: 'x' });
  const cases: [string, number][] = [
    ['thousand', 1000],
    ['thousand', 999],
    ['thousand', 0],
    ['empty', 0],
    ['one', 0],
    ['one', 1],
  ];

  it.each(styles)('%s: the same bytes, and the same EFBIG error, as node:fs', async (style) => {
    const ops: Op[] = cases.map(([path, maxBytes]) => ({ kind: 'read', path, maxBytes }));
    const [node, ours] = await bothBackends(native, style, ops, root);
    expect(ours).toEqual(node);
    // Not vacuous: the cap was hit where the file is larger, and only there.
    expect(ours.map((o) => (o as { ok: boolean }).ok)).toEqual([
      true,
      false,
      false,
      true,
      false,
      true,
    ]);
    expect((ours[1] as { error: { code: string } }).error.code).toBe('EFBIG');
  });
});

describe('a file larger than the reused buffer', () => {
  // Around the 16 KiB first step and the 64 KiB of Node's sync buffer, and past the 1 MiB kept.
  const sizes = [
    16 * KiB - 1,
    16 * KiB,
    16 * KiB + 1,
    64 * KiB,
    64 * KiB + 1,
    200_000,
    3 * KiB * KiB,
  ];
  const files = Object.fromEntries(sizes.map((size, i) => [`f${size}`, patternBytes(size, i)]));
  const root = tempRoot(files);

  it.each(styles)('%s: every size whole, then a small file read right after', async (style) => {
    const ops: Op[] = [];
    for (const size of sizes) {
      ops.push({ kind: 'read', path: `f${size}`, maxBytes: 64 * KiB * KiB });
      ops.push({ kind: 'read', path: `f${sizes[0]}`, maxBytes: 64 * KiB * KiB });
    }
    const outcomes = await outcomesOf(native, style, ops, root);
    outcomes.forEach((outcome, i) => {
      const size = i % 2 === 0 ? (sizes[i / 2] as number) : (sizes[0] as number);
      if (!outcome.ok) throw outcome.error;
      // Buffer.equals: toEqual on megabytes walks them element by element, slowly.
      const same = Buffer.from(files[`f${size}`] as Uint8Array).equals(outcome.value as Uint8Array);
      expect([size, same]).toEqual([size, true]);
    });
  });

  it('a file that grew between two reads: all of it the second time', () => {
    const folder = tempRoot({ grows: 'short' });
    const op: Op = { kind: 'read', path: 'grows', maxBytes: 1e6 };
    expect(native.perform(op, folder)).toEqual({
      ok: true,
      value: new TextEncoder().encode('short'),
    });
    const longer = patternBytes(300_000, 7);
    writeFileSync(`${folder}/grows`, longer);
    const again = native.perform(op, folder);
    expect(again.ok && Buffer.from(longer).equals(again.value as Uint8Array)).toBe(true);
  });

  it('in a worker thread at the same time as here (each thread has its own buffer)', async () => {
    const folder = tempRoot({ big: patternBytes(200_000, 3), small: patternBytes(100, 4) });
    const script = `
      const { parentPort, workerData } = require('node:worker_threads');
      const addon = require(require('node-gyp-build').path(workerData.packageRoot));
      let same = 0;
      for (let i = 0; i < 200; i++) {
        const bytes = new Uint8Array(addon.perform(0, workerData.path, 1e6));
        if (bytes.length === 200000 && bytes[199999] === workerData.last) same++;
      }
      parentPort.postMessage(same);`;
    const worker = new Worker(script, {
      eval: true,
      workerData: {
        packageRoot: PACKAGE_ROOT,
        path: `${folder}/big`,
        last: patternBytes(200_000, 3)[199_999],
      },
    });
    const answer = new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const small = patternBytes(100, 4);
    let same = 0;
    for (let i = 0; i < 2000; i++) {
      const outcome = native.perform({ kind: 'read', path: 'small', maxBytes: 1e6 }, folder);
      if (outcome.ok && Buffer.from(small).equals(outcome.value as Uint8Array)) same++;
    }
    expect([same, await answer]).toEqual([2000, 200]);
    await worker.terminate();
  });

  it('a live environ of 300 KB, as the kernel gives it', async () => {
    // One string may not pass 128 KiB (MAX_ARG_STRLEN): three of 100,000 bytes.
    const big = 'v'.repeat(100_000);
    const { child } = await spawnReady('/bin/sh', ['-c', 'echo ready; exec sleep 1000'], {
      env: { BIG1: big, BIG2: big, BIG3: big },
    });
    const pid = child.pid as number;
    await expect.poll(() => readlinkSync(`/proc/${pid}/exe`)).toMatch(/sleep$/);
    const truth = new Uint8Array(readFileSync(`/proc/${pid}/environ`));
    expect(truth.length).toBeGreaterThan(300_000);
    const procfs = new ProcFS({ backend: native });
    expect(Buffer.from(truth).equals(procfs.readFile(pid, 'environ'))).toBe(true);
    expect(Buffer.from(truth).equals(await procfs.promises.readFile(pid, 'environ'))).toBe(true);
    child.kill('SIGKILL');
  });
});

describe('errors are the ones node:fs gives, on the same paths', () => {
  const root = tempRoot({ file: 'x', 'folder/inside': 'y' });
  const ops: Op[] = [
    { kind: 'read', path: 'absent', maxBytes: 100 },
    { kind: 'read', path: 'folder', maxBytes: 100 },
    { kind: 'read', path: 'file/below', maxBytes: 100 },
    { kind: 'readlink', path: 'file' },
    { kind: 'readlink', path: 'absent' },
    { kind: 'readdir', path: 'file' },
    { kind: 'readdir', path: 'absent' },
    { kind: 'links', path: 'absent' },
    { kind: 'links', path: 'file' },
    { kind: 'stat', path: 'absent' },
    { kind: 'stat', path: new Uint8Array([0x61, 0xff, 0xfe]) },
    { kind: 'read', path: 'nul\0inside', maxBytes: 100 },
  ];

  it.each(styles)('%s: ENOENT, EISDIR, ENOTDIR, EINVAL, a NUL in a path', async (style) => {
    const [node, ours] = await bothBackends(native, style, ops, root);
    expect(ours).toEqual(node);
    const codes = ours.map((o) => (o as { error: { code: string } }).error.code);
    expect(new Set(codes)).toEqual(
      new Set(['ENOENT', 'EISDIR', 'ENOTDIR', 'EINVAL', 'ERR_INVALID_ARG_VALUE']),
    );
  });

  it.each(styles)("%s: a zombie's files, and ESRCH where the kernel gives it", async (style) => {
    const { pid } = await startZombie();
    let kernel = 'none';
    try {
      readFileSync(`/proc/${pid}/environ`);
    } catch (error) {
      kernel = (error as NodeJS.ErrnoException).code ?? 'none';
    }
    const zombieOps: Op[] = [
      { kind: 'read', path: `${pid}/environ`, maxBytes: 1e6 },
      { kind: 'read', path: `${pid}/cmdline`, maxBytes: 1e6 },
      { kind: 'readlink', path: `${pid}/exe` },
      { kind: 'readlink', path: `${pid}/cwd` },
      { kind: 'links', path: `${pid}/fd` },
      { kind: 'stat', path: `${pid}/root` },
    ];
    const [node, ours] = await bothBackends(native, style, zombieOps, '/proc');
    expect(ours).toEqual(node);
    expect(ours[0]).toMatchObject({ ok: false, error: { code: kernel } });
    expect(ours[2]).toMatchObject({ ok: false, error: { code: 'ENOENT', syscall: 'readlink' } });
  });
});

describe('values are the ones node:fs gives', () => {
  const fixtureOps: Op[] = [
    { kind: 'read', path: `${captured.pid}/stat`, maxBytes: 1e6 },
    { kind: 'readdir', path: '' },
    { kind: 'readdir', path: `${captured.pid}/fd` },
    { kind: 'links', path: `${captured.pid}/fd` },
    { kind: 'readlink', path: `${captured.pid}/cwd` },
    { kind: 'stat', path: `${captured.pid}/stat` },
    { kind: 'stat', path: new TextEncoder().encode(`${captured.pid}/stat`) },
  ];

  it.each(styles)('%s: the fixture tree', async (style) => {
    const [node, ours] = await bothBackends(native, style, fixtureOps, fixtureRoot);
    expect(ours).toEqual(node);
    expect(ours.every((o) => (o as { ok: boolean }).ok)).toBe(true);
    // Listing order is Node's (strcmp), not the folder's.
    expect((ours[1] as { value: string[] }).value).toEqual(readdirSync(fixtureRoot));
  });

  it("this process: its fd/ (the listing's own descriptor vanishes in both), task/, exe", async () => {
    const liveOps: Op[] = [
      { kind: 'links', path: 'self/fd' },
      { kind: 'readdir', path: 'self/task' },
      { kind: 'readlink', path: 'self/exe' },
      { kind: 'stat', path: 'self/exe' },
    ];
    const [node, ours] = await bothBackends(native, 'sync', liveOps, '/proc');
    expect(ours).toEqual(node);
    expect((ours[0] as { value: { vanished: boolean } }).value.vanished).toBe(true);
  });
});

describe('batches', () => {
  const root = tempRoot({ a: 'alpha', big: patternBytes(4000), 'dir/x': '1', 'dir/y': '2' });
  const mixed: Op[] = [
    { kind: 'read', path: 'a', maxBytes: 100 },
    { kind: 'read', path: 'absent', maxBytes: 100 },
    { kind: 'read', path: 'big', maxBytes: 100 },
    { kind: 'readdir', path: 'dir' },
    { kind: 'readlink', path: 'a' },
    { kind: 'ranges', path: 'big', ranges: [{ start: 10n, length: 20 }] },
    { kind: 'stat', path: 'dir/x' },
    { kind: 'links', path: 'absent' },
    { kind: 'read', path: 'dir/y', maxBytes: 100 },
  ];

  it.each(['batch', 'async batch'] as const)(
    '%s: failing ops do not fail the others, each outcome in its place',
    async (style) => {
      const [node, ours] = await bothBackends(native, style, mixed, root);
      expect(ours).toEqual(node);
      expect(ours.map((o) => (o as { ok: boolean }).ok)).toEqual([
        true,
        false,
        false,
        true,
        false,
        true,
        true,
        false,
        true,
      ]);
    },
  );

  it('an async batch of 500 ops resolves every outcome, as the sync batch does', async () => {
    const many = Array.from({ length: 500 }, (_, i) => mixed[i % mixed.length] as Op);
    const sync = (native.performBatch?.(many, root) ?? []).map((o) =>
      o.ok ? o : errorFacts(o.error),
    );
    const promise = native.performBatchAsync?.(many, root);
    const outcomes = (await promise) ?? [];
    expect(outcomes).toHaveLength(500);
    expect(outcomes.map((o) => (o.ok ? o : errorFacts(o.error)))).toEqual(sync);
  });
});

describe('descriptors', () => {
  const root = tempRoot({ a: 'alpha', 'fd/0': 'x' });
  const ops: Op[] = [
    { kind: 'read', path: 'a', maxBytes: 100 },
    { kind: 'read', path: 'a', maxBytes: 2 },
    { kind: 'read', path: 'absent', maxBytes: 100 },
    { kind: 'readdir', path: 'fd' },
    { kind: 'links', path: 'fd' },
    { kind: 'readlink', path: 'a' },
    { kind: 'stat', path: 'a' },
    { kind: 'links', path: 'absent' },
    { kind: 'read', path: 'fd', maxBytes: 100 },
    { kind: 'readdir', path: 'a' },
  ];

  it('none left open after 10,000 batched reads, sync and async, failures included', async () => {
    const before = openFdCount();
    for (let i = 0; i < 1000; i++) native.performBatch?.(ops, root);
    for (let i = 0; i < 1000; i++) await native.performBatchAsync?.(ops, root);
    expect(openFdCount()).toBe(before);
  });
});
