// Helpers shared by the tests in src/*.test.ts: the fixture tree and what it holds, both call
// styles behind one interface, error capture, children that say when they are ready, temp roots.
import { type ChildProcess, type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { expect } from 'vitest';
import {
  cleanup,
  eventually,
  exited,
  tempFolder as sharedTempFolder,
  trackChild,
} from '../../../test-support/processes.js';
import { ProcessGoneError, ProcfsError } from '../src/errors.js';
import { ProcFS, type ProcFSOptions, type ProcFSPromises } from '../src/procfs.js';

export { cleanup, eventually, exited };

const here = fileURLToPath(new URL('.', import.meta.url));

/** The fixture procfs tree, captured by test/capture-fixtures.mjs. */
export const fixtureRoot = join(here, 'fixtures', 'proc');

/** A process as test/capture-fixtures.mjs recorded it. */
export interface CapturedProcess {
  pid: number;
  files: string[];
  links: Record<string, string>;
  missing: string[];
  fds?: Record<string, string>;
  tids?: number[];
}

/** test/fixtures/expected.json: what the capture saw, independent of ProcFS. */
export interface Expected {
  node: CapturedProcess & {
    args: string[];
    environment: string[];
    cwd: string;
    port: number;
    deletedFd: number;
    script: string;
    execPath: string;
    fds: Record<string, string>;
    taskFds: Record<string, string>;
    tids: number[];
  };
  zombie: CapturedProcess & { parent: number; tids: number[]; fds: Record<string, string> };
  kthread: CapturedProcess & { fds: Record<string, string> };
  deleted: CapturedProcess & { args: string[] };
  vanished: { pid: number };
  machine: { pageSize: number; clockTicks: number; bootTimeSeconds: number };
  nonPids: string[];
  emptyFolders: string[];
}

export const expected: Expected = JSON.parse(
  readFileSync(join(here, 'fixtures', 'expected.json'), 'utf8'),
);

// Git keeps no empty folders: make the ones the capture left empty (a vanished process's pid
// folder, the empty fd/ of the zombie and the kernel thread). Idempotent, invisible to git.
for (const folder of expected.emptyFolders)
  mkdirSync(join(fixtureRoot, folder), { recursive: true });

/** A ProcFS over the fixture tree. */
export const fixtureProcFS = (options: Omit<ProcFSOptions, 'root'> = {}): ProcFS =>
  new ProcFS({ ...options, root: fixtureRoot });

/** The bytes of a fixture file, read with plain fs (the truth a ProcFS read must equal). */
export const fixtureBytes = (path: string): Uint8Array =>
  new Uint8Array(readFileSync(join(fixtureRoot, path)));

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The UTF-8 encoding of `text`. */
export const bytesOf = (text: string): Uint8Array => encoder.encode(text);

/**
 * The same bytes as a plain Uint8Array. Link targets come back as Buffer (a Uint8Array subclass
 * that `toEqual` tells apart from a plain one); compare bytes, not classes.
 */
export const plain = (data: Uint8Array): Uint8Array => new Uint8Array(data);

/**
 * Asserts `actual` holds exactly the bytes of `expected`, fast for megabytes (toEqual walks
 * large arrays element by element); a failure names the length or the first differing offset.
 */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual).toBeInstanceOf(Uint8Array);
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (a.equals(b)) return;
  let offset = 0;
  while (offset < a.length && offset < b.length && a[offset] === b[offset]) offset++;
  expect
    .soft({ length: a.length, firstDifference: offset })
    .toEqual({ length: b.length, firstDifference: -1 });
  throw new Error(`bytes differ: lengths ${a.length}/${b.length}, first difference at ${offset}`);
}

/** UTF-8 decoding (for messages and link targets known to be UTF-8). */
export const textOf = (data: Uint8Array): string => decoder.decode(data);

/** Each string's UTF-8 bytes followed by a NUL: the layout of cmdline and environ. */
export const nulTerminated = (items: readonly string[]): Uint8Array =>
  bytesOf(items.map((item) => `${item}\0`).join(''));

/** The two call styles: `sync` calls ProcFS, `async` calls ProcFS.promises. */
export type Mode = 'sync' | 'async';
export const modes: Mode[] = ['sync', 'async'];

/** ProcFS or its promises twin; `await` works on the results of both. */
export type Api = ProcFS | ProcFSPromises;
export const apiOf = (procfs: ProcFS, mode: Mode): Api =>
  mode === 'sync' ? procfs : procfs.promises;

/**
 * Calls `run` in `mode` and returns its result, checking that the style holds: a sync call
 * returns a value (not a Promise), an async call returns a Promise.
 */
export async function call<T>(mode: Mode, run: () => T | Promise<T>): Promise<T> {
  let result: T | Promise<T>;
  try {
    result = run();
  } catch (error) {
    if (mode === 'async') throw new Error(`the async call threw synchronously: ${String(error)}`);
    throw error;
  }
  if (mode === 'sync') expect(result).not.toBeInstanceOf(Promise);
  else expect(result).toBeInstanceOf(Promise);
  return await result;
}

/** The error `run` throws (sync) or rejects with (async); fails the test if there is none. */
export async function errorOf(mode: Mode, run: () => unknown): Promise<unknown> {
  let value: unknown;
  try {
    value = await call(mode, run);
  } catch (error) {
    return error;
  }
  throw new Error(
    `expected a ${mode} call to fail, and it returned ${inspect(value, { maxArrayLength: 8 })}`,
  );
}

/** The error a synchronous `run` throws; fails the test if there is none. */
export function syncErrorOf(run: () => unknown): unknown {
  let value: unknown;
  try {
    value = run();
  } catch (error) {
    return error;
  }
  throw new Error(`expected the call to throw, and it returned ${inspect(value)}`);
}

export interface ErrorExpectation {
  type: new (...args: never[]) => ProcfsError;
  pid: number | undefined;
  path: string;
  code: string;
  zombie?: boolean;
}

/**
 * Asserts that `error` is exactly of `type` (a ProcfsError expected is not a subclass), with the
 * pid, path, code (and for ProcessGoneError, zombie flag) given.
 */
export function expectProcfsError(error: unknown, expectation: ErrorExpectation): void {
  expect(error).toBeInstanceOf(ProcfsError);
  const actual = error as ProcfsError;
  expect(actual.constructor).toBe(expectation.type);
  expect({ pid: actual.pid, path: actual.path, code: actual.code }).toEqual({
    pid: expectation.pid,
    path: expectation.path,
    code: expectation.code,
  });
  expect(actual.message).toContain(expectation.path);
  if (actual instanceof ProcessGoneError) expect(actual.zombie).toBe(expectation.zombie ?? false);
  // An fs failure keeps the fs error as its cause; EFBIG and EINVAL are ProcFS's own findings.
  if (expectation.code !== 'EFBIG' && expectation.code !== 'EINVAL') {
    expect((actual.cause as NodeJS.ErrnoException | undefined)?.code).toBe(expectation.code);
  }
}

/** A link's or fd entry's target as text. */
export const fdMap = (entries: { fd: number; target: Uint8Array }[]): Map<number, string> =>
  new Map(entries.map(({ fd, target }) => [fd, textOf(target)]));

/** `{ "3": "pipe:[1]" }` as a Map keyed by number. */
export const recordMap = (record: Record<string, string>): Map<number, string> =>
  new Map(Object.entries(record).map(([fd, target]) => [Number(fd), target]));

/** Numbers sorted ascending (listings come in directory order). */
export const sorted = (numbers: readonly number[]): number[] => [...numbers].sort((a, b) => a - b);

/** How many descriptors this process has open. */
export const openFdCount = (): number => readdirSync('/proc/self/fd').length;

/** A fresh temp folder (its real path), removed by `cleanup()`. */
export const tempFolder = (prefix = 'procfs-test-'): string => sharedTempFolder(prefix);

/** A temp procfs root holding `files` (path under the root to content). */
export function tempRoot(files: Record<string, Uint8Array | string>): string {
  const root = tempFolder('procfs-root-');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** Bytes whose value at i is a function of i and `seed`: no two offsets of a read can swap unseen. */
export function patternBytes(length: number, seed = 0): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + (i >>> 8) * 7 + seed) & 0xff;
  return bytes;
}

/**
 * Spawns a child and resolves once it has written its first line to stdout (the child says it
 * is ready); resolves with the child and that line. stdout must be a pipe.
 */
export function spawnReady(
  file: string,
  args: readonly string[],
  options: SpawnOptions = {},
): Promise<{ child: ChildProcess; line: string }> {
  const child = trackChild(spawn(file, args, { stdio: ['pipe', 'pipe', 'inherit'], ...options }));
  return new Promise((resolve, reject) => {
    let text = '';
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`${file} exited (${code ?? signal}) before it was ready`)),
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const newline = text.indexOf('\n');
      if (newline !== -1) resolve({ child, line: text.slice(0, newline) });
    });
  });
}

/**
 * Compiles `test/<name>.c` (with pthreads) into a temp folder and returns the binary's path, or
 * undefined when there is no `cc` (tests then skip, unless CI is set: there it must work).
 */
export function compileC(name: string): string | undefined {
  const output = join(tempFolder('procfs-cc-'), name);
  const result = spawnSync('cc', ['-O1', '-pthread', '-o', output, join(here, `${name}.c`)], {
    encoding: 'utf8',
  });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT' && !process.env.CI)
    return undefined;
  if (result.status !== 0) throw new Error(`cc ${name}.c failed: ${result.error ?? result.stderr}`);
  return output;
}

/**
 * A zombie: a grandchild whose parent has become `sleep`, which never reaps. The grandchild
 * prints its pid, waits for a line on fd 3, and exits when it gets one.
 */
export async function startZombie(): Promise<{ parent: number; pid: number }> {
  const { child, line } = await spawnReady(
    '/bin/sh',
    ['-c', `/bin/sh -c 'echo $$; read line <&3' & exec sleep 1000`],
    { stdio: ['ignore', 'pipe', 'inherit', 'pipe'] },
  );
  const parent = child.pid as number;
  const pid = Number(line);
  await eventually(
    () => (readlinkSync(`/proc/${parent}/exe`).endsWith('/sleep') ? true : undefined),
    'the parent to become sleep',
  );
  const release = child.stdio[3] as NodeJS.WritableStream;
  release.write('exit\n');
  await eventually(
    () => (/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'latin1')) ? true : undefined),
    'the grandchild to become a zombie',
  );
  return { parent, pid };
}
