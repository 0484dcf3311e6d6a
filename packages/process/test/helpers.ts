// Helpers shared by the tests in src/*.test.ts: C helpers compiled into temp folders, children
// that say when they are ready, copies of the hand-written fixture tree, independent reads of
// /proc (the truth the library must equal), error capture, both call styles.
import { type ChildProcess, type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseStat, type Stat } from '@procmon/parse';
import { type Backend, nodeBackend, type Op, type Outcome, ProcFS } from '@procmon/procfs';
import {
  cleanup,
  eventually,
  exited,
  tempFolder as sharedTempFolder,
  trackChild,
} from '../../../test-support/processes.js';

export { errorOf } from '../../../test-support/errors.js';

export { cleanup, eventually, exited, trackChild };

const here = fileURLToPath(new URL('.', import.meta.url));

/** The hand-written procfs tree (see test/fixtures/README.md). */
export const fixtureRoot = join(here, 'fixtures', 'proc');

/** `<link path under proc/>: <target>` of every link of the fixture tree. */
function fixtureLinks(): Record<string, string> {
  return JSON.parse(readFileSync(join(here, 'fixtures', 'proc-links.json'), 'utf8'));
}

/** A fresh temp folder (its real path), removed by `cleanup()`. */
export const tempFolder = (prefix = 'procmon-process-test-'): string => sharedTempFolder(prefix);

/** The page size the fixture copies' `self/auxv` states. */
export const FIXTURE_PAGE_SIZE = 4096;

/**
 * An auxiliary vector as the kernel writes it (pairs of 64-bit little-endian words): AT_PAGESZ
 * (6) = 4096, AT_CLKTCK (17) = 100, AT_NULL.
 */
function fixtureAuxv(): Uint8Array {
  const words = [6n, BigInt(FIXTURE_PAGE_SIZE), 17n, 100n, 0n, 0n];
  const bytes = Buffer.alloc(words.length * 8);
  words.forEach((word, index) => {
    bytes.writeBigUInt64LE(word, index * 8);
  });
  return new Uint8Array(bytes);
}

export interface FixtureCopy {
  /** The copy's proc root. */
  root: string;
  procfs: ProcFS;
  /** The folder the `root` links of pids 100 and 101 point at: it holds /opt/app/bin/app. */
  rootfs: string;
}

/**
 * A writable copy of the fixture tree (its links made from `proc-links.json`), with what the committed tree cannot
 * hold: `self/auxv` and `stat` for the machine facts, and `root` links of pids 100 and 101 to a
 * folder holding `opt/app/bin/app` (a committed link must not lead to an existing folder).
 */
export function copyFixture(): FixtureCopy {
  const folder = tempFolder('procmon-process-fixture-');
  const root = join(folder, 'proc');
  cpSync(fixtureRoot, root, { recursive: true });
  // The tree's links (exe, cwd, fd/N) are kept in a manifest, not in git: most lead nowhere,
  // as in a real /proc, and a dangling link stops turbo's walk of the package.
  for (const [path, target] of Object.entries(fixtureLinks())) {
    // A folder holding only links (fd/) is not in git either.
    mkdirSync(dirname(join(root, path)), { recursive: true });
    symlinkSync(target, join(root, path));
  }
  mkdirSync(join(root, 'self'));
  writeFileSync(join(root, 'self', 'auxv'), fixtureAuxv());
  writeFileSync(join(root, 'stat'), 'cpu  1 2 3 4 5 6 7 0 0 0\nbtime 1700000000\n');
  const rootfs = join(folder, 'rootfs');
  mkdirSync(join(rootfs, 'opt', 'app', 'bin'), { recursive: true });
  writeFileSync(join(rootfs, 'opt', 'app', 'bin', 'app'), 'not really a binary\n');
  symlinkSync(rootfs, join(root, '100', 'root'));
  symlinkSync(rootfs, join(root, '101', 'root'));
  return { root, procfs: new ProcFS({ root }), rootfs };
}

/** Rewrites the start time (field 22) of `<root>/<pid>/stat`: the pid now names another process. */
export function rewriteStartTime(root: string, pid: number, startTime: number): void {
  const path = join(root, String(pid), 'stat');
  const text = readFileSync(path, 'latin1');
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  // Field 3 (state) is fields[0]: field 22 is fields[19].
  fields[19] = String(startTime);
  writeFileSync(path, `${text.slice(0, close + 2)}${fields.join(' ')}`, 'latin1');
}

const compiled = new Map<string, string>();

/**
 * Compiles `test/<name>.c` into a temp folder and returns the binary's path (once per test
 * file: the folder lives until `cleanup()`, which the files run in afterAll).
 */
export function compileC(name: string): string {
  const known = compiled.get(name);
  if (known) return known;
  const output = join(tempFolder('procmon-process-cc-'), name);
  const result = spawnSync('cc', ['-O1', '-o', output, join(here, `${name}.c`)], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`cc ${name}.c failed: ${result.error ?? result.stderr}`);
  compiled.set(name, output);
  return output;
}

/** Forgets the compiled helpers (their folders are gone after `cleanup()`). */
export async function cleanupAll(): Promise<void> {
  compiled.clear();
  await cleanup();
}

/** A copy of `binary` at `folder/name`, executable; returns its path. */
export function copyBinary(binary: string, folder: string, name: string): string {
  const path = join(folder, name);
  copyFileSync(binary, path);
  chmodSync(path, 0o755);
  return path;
}

/**
 * Spawns a child (stdin and stdout pipes unless `stdio` says otherwise) and resolves once it has
 * written `count` lines to stdout: the child says it is ready. Resolves with the child and them.
 */
export function spawnLines(
  file: string,
  args: readonly string[],
  options: SpawnOptions = {},
  count = 1,
): Promise<{ child: ChildProcess; lines: string[] }> {
  const child = trackChild(spawn(file, args, { stdio: ['pipe', 'pipe', 'inherit'], ...options }));
  return new Promise((resolve, reject) => {
    let text = '';
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`${file} exited (${code ?? signal}) before it was ready: ${text}`)),
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const lines = text.split('\n');
      if (lines.length > count) resolve({ child, lines: lines.slice(0, count) });
    });
  });
}

/** Spawns the `hold` helper (or a copy of it): it prints "ready" and waits for stdin to close. */
export async function startHold(
  binary: string,
  args: readonly string[],
  options: SpawnOptions = {},
): Promise<{ child: ChildProcess; pid: number }> {
  const { child } = await spawnLines(binary, args, options);
  return { child, pid: child.pid as number };
}

/** Closes the child's stdin (the helpers then exit by themselves) and waits until it is reaped. */
export async function release(child: ChildProcess): Promise<void> {
  child.stdin?.end();
  await exited(child);
}

/** /proc/<pid>/stat read with plain fs, parsed by @procmon/parse. */
export const statOf = (pid: number): Stat =>
  parseStat(new Uint8Array(readFileSync(`/proc/${pid}/stat`)));

/** The exe link of `pid` with plain fs, ` (deleted)` dropped: the path a tree entry must show. */
export function exePathOf(pid: number): string {
  const link = readlinkSync(`/proc/${pid}/exe`);
  return link.endsWith(' (deleted)') ? link.slice(0, -' (deleted)'.length) : link;
}

/**
 * The path a tree entry must show for a live process, by the rules: the exe link without
 * " (deleted)"; when the link cannot be read and maps cannot be read either (pid 1 of a sandbox
 * may refuse even root: EACCES), its comm. Throws for any other case (none in these tests).
 */
export function treePathOf(pid: number): { path: string; pathSource: 'exe' | 'comm' } {
  try {
    return { path: exePathOf(pid), pathSource: 'exe' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EACCES') throw error;
    let mapsReadable = true;
    try {
      readFileSync(`/proc/${pid}/maps`);
    } catch {
      mapsReadable = false;
    }
    if (mapsReadable) throw error;
    return { path: statOf(pid).comm, pathSource: 'comm' };
  }
}

/**
 * This test process's own chain, read with plain fs: each ancestor up to pid 1 (or to a parent
 * outside this pid namespace, ppid 0), nearest first, with its path (see `treePathOf`).
 */
export function ownAncestry(): { pid: number; path: string; pathSource: 'exe' | 'comm' }[] {
  const chain: { pid: number; path: string; pathSource: 'exe' | 'comm' }[] = [];
  let pid = process.pid;
  while (pid !== 1) {
    const { ppid } = statOf(pid);
    if (ppid === 0) break;
    chain.push({ pid: ppid, ...treePathOf(ppid) });
    pid = ppid;
  }
  return chain;
}

/** The two call styles. */
export type Style = 'sync' | 'async';
export const styles: Style[] = ['sync', 'async'];

/** Calls the twin of `style`, checking that a sync call returns a value and an async one a Promise. */
export async function twin<T>(style: Style, sync: () => T, async: () => Promise<T>): Promise<T> {
  if (style === 'sync') {
    const value = sync();
    if (value instanceof Promise) throw new Error('the sync call returned a Promise');
    return value;
  }
  const promise = async();
  if (!(promise instanceof Promise)) throw new Error('the async call returned no Promise');
  return await promise;
}

/** Field names and reasons of a collector's failures, sorted by field: what a test compares. */
export const failureSummary = (
  failures: readonly { field: string; reason: string }[],
): { field: string; reason: string }[] =>
  failures
    .map(({ field, reason }) => ({ field, reason }))
    .sort((a, b) => a.field.localeCompare(b.field));

/**
 * A backend over node:fs that shows each file read of a process (`<pid>/<name>`) to `seen`,
 * sync or async, after it succeeded: `seen` may change the fixture tree (a race replayed at an
 * exact point), or return other bytes for the read to give. A batch is read one op after the
 * other in both styles, so the point of the race is the same for both.
 */
export function watchedBackend(
  seen: (pid: number, name: string, bytes: Uint8Array) => Uint8Array | undefined,
): Backend {
  const watch = (op: Op, outcome: Outcome): Outcome => {
    if (op.kind !== 'read' || !outcome.ok) return outcome;
    const match = /^(\d+)\/([^/]+)$/.exec(op.path);
    if (!match) return outcome;
    const replaced = seen(Number(match[1]), match[2] as string, outcome.value as Uint8Array);
    return replaced ? { ok: true, value: replaced } : outcome;
  };
  return {
    name: 'watched',
    perform: (op, root) => watch(op, nodeBackend.perform(op, root)),
    performAsync: async (op, root) => watch(op, await nodeBackend.performAsync(op, root)),
    async performBatchAsync(ops, root) {
      const outcomes: Outcome[] = [];
      for (const op of ops) outcomes.push(watch(op, await nodeBackend.performAsync(op, root)));
      return outcomes;
    },
  };
}

/** A ProcFS that calls `after(pid, name)` once a file was read, sync or async. */
export class MutatingProcFS extends ProcFS {
  constructor(root: string, after: (pid: number, name: string) => void) {
    super({
      root,
      backend: watchedBackend((pid, name) => {
        after(pid, name);
        return undefined;
      }),
    });
  }
}

/** A ProcFS on /proc that counts every op it performs, in either style. */
export function countingProcFS(): { procfs: ProcFS; ops: () => number } {
  let count = 0;
  const backend: Backend = {
    name: 'counting',
    perform: (op, root) => {
      count++;
      return nodeBackend.perform(op, root);
    },
    performAsync: (op, root) => {
      count++;
      return nodeBackend.performAsync(op, root);
    },
  };
  return { procfs: new ProcFS({ root: '/proc', backend }), ops: () => count };
}
