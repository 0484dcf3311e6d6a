// Helpers shared by the tests in src/*.test.ts: the system tools that give the known checksums,
// copies of /bin/sleep started as children that are ready to be inspected, independent reads of
// /proc/<pid>/maps, mem and pagemap (the truth a dump must equal), temp folders, error capture.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  openSync,
  readFileSync,
  readSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { type MapsEntry, parseMaps } from '@procmon/parse';
import { nodeBackend, type Op, type Outcome, ProcFS } from '@procmon/procfs';
import { expect } from 'vitest';
import {
  cleanup,
  eventually,
  exited,
  tempFolder as sharedTempFolder,
  trackChild,
} from '../../../test-support/processes.js';
import {
  type ProcessChecksum,
  type ProcessChecksumOptions,
  processChecksum,
  processChecksumAsync,
} from '../src/process-checksum.js';

export { errorOf } from '../../../test-support/errors.js';

export { cleanup, eventually, exited, trackChild };

/** Checksums of empty input, as every tool prints them. */
export const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

/** The system tool that prints each algorithm's checksum; the rest go through `openssl dgst`. */
const TOOLS: Record<string, string> = {
  md5: 'md5sum',
  sha1: 'sha1sum',
  sha224: 'sha224sum',
  sha256: 'sha256sum',
  sha384: 'sha384sum',
  sha512: 'sha512sum',
  blake2b512: 'b2sum',
};

/**
 * The checksum of each file by the system tool for `algorithm` (`md5sum`, `sha256sum`, ...,
 * else `openssl dgst -<algorithm> -r`), in one run of the tool. Names must not hold a newline
 * or a backslash (the tools escape those).
 */
export function toolDigests(algorithm: string, files: readonly string[]): string[] {
  const tool = TOOLS[algorithm];
  const [command, args] = tool
    ? [tool, [...files]]
    : ['openssl', ['dgst', `-${algorithm}`, '-r', ...files]];
  return parseToolOutput(execFileSync(command, args, { encoding: 'utf8' }), files.length);
}

/** The checksum of one file by the system tool for `algorithm`. */
export const toolDigest = (algorithm: string, file: string): string =>
  toolDigests(algorithm, [file])[0] as string;

/** `<hex>  <name>` (coreutils) or `<hex> *<name>` (openssl -r), one line per file. */
export function parseToolOutput(output: string, count: number): string[] {
  const lines = output.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(count);
  return lines.map((line) => {
    const hex = line.slice(0, line.indexOf(' '));
    expect(hex).toMatch(/^[0-9a-f]{32,}$/);
    return hex;
  });
}

/** A fresh temp folder (its real path), removed by `cleanup()`. */
export const tempFolder = (prefix = 'procmon-hash-test-'): string => sharedTempFolder(prefix);

/** The real path of the sleep binary (/bin/sleep is often a symlink into /usr/bin). */
export const sleepBinary = realpathSync('/bin/sleep');

/** A copy of the sleep binary at `folder/name`, executable; returns its path. */
export function copySleep(folder: string, name = 'sleep'): string {
  const path = join(folder, name);
  copyFileSync(sleepBinary, path);
  chmodSync(path, 0o755);
  return path;
}

/**
 * Starts `binary 60` and resolves with its pid once it sleeps: exec done, the dynamic loader
 * finished (relocations applied, RELRO protected), the process parked in nanosleep. Nothing
 * about its maps changes after that.
 */
export const startSleeper = (
  binary: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; pid: number }> => startProgram(binary, ['60'], env);

/** x86_64 nanosleep, clock_nanosleep; arm64 nanosleep, clock_nanosleep. */
const SLEEP_SYSCALLS = new Set(['35', '230', '101', '115']);

/** Whether process `pid` is parked in nanosleep (its program loaded and waiting). */
export function isSleeping(pid: number): boolean {
  if (stateLetter(pid) !== 'S') return false;
  const wchan = readFileSync(`/proc/${pid}/wchan`, 'latin1');
  if (wchan.includes('nanosleep')) return true;
  try {
    const syscall = readFileSync(`/proc/${pid}/syscall`, 'latin1').split(' ')[0] as string;
    return SLEEP_SYSCALLS.has(syscall);
  } catch {
    return false;
  }
}

/** The state letter of process `pid` (`S`, `Z`, ...), read by the test with plain fs. */
export function stateLetter(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

/**
 * Starts `command args` and resolves with its pid once that pid sleeps (for a program that
 * ends in `sleep`, e.g. python3 exec-ing a copy of sleep).
 */
export async function startProgram(
  command: string,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; pid: number }> {
  const child = trackChild(spawn(command, [...args], { stdio: 'ignore', env }));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const pid = child.pid as number;
  await eventually(() => (isSleeping(pid) ? true : undefined), `${command} (pid ${pid}) to sleep`);
  return { child, pid };
}

/**
 * A zombie: sh starts a short child, then execs sleep, which never reaps it. Resolves with the
 * zombie's pid once its stat says Z; killing `parent` (cleanup does) lets init reap it.
 */
export async function startZombie(): Promise<{ parent: ChildProcess; zombie: number }> {
  const parent = trackChild(spawn('sh', ['-c', 'true & exec sleep 60'], { stdio: 'ignore' }));
  const zombie = await eventually(() => {
    try {
      const children = readFileSync(
        `/proc/${parent.pid}/task/${parent.pid}/children`,
        'latin1',
      ).trim();
      if (children === '') return undefined;
      const pid = Number(children.split(' ')[0]);
      return stateLetter(pid) === 'Z' ? pid : undefined;
    } catch {
      return undefined;
    }
  }, 'a zombie child');
  return { parent, zombie };
}

/** A pid that named a process a moment ago and names none now (the child exited and was reaped). */
export function gonePid(): number {
  const pid = spawnSyncPid();
  expect(() => readFileSync(`/proc/${pid}/stat`)).toThrow(/ENOENT/);
  return pid;
}

function spawnSyncPid(): number {
  // execFileSync returns after the child exited and was reaped; its pid is in its own output.
  return Number(execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).trim());
}

/**
 * sha256sum of the executable regions of the file maps shows as `text` (the pathname with its
 * ` (deleted)`), read from /proc/<pid>/mem by the test itself: the truth of a memory checksum.
 */
export function executableImageDigest(pid: number, text: string): string {
  const regions = readMaps(pid).filter(
    (entry) => `${entry.pathname}${entry.deleted ? ' (deleted)' : ''}` === text && entry.execute,
  );
  expect(regions.length).toBeGreaterThan(0);
  const image = Buffer.concat(
    regions.map((entry) => readMem(pid, entry.start, Number(entry.end - entry.start))),
  );
  const file = join(tempFolder(), 'image.bin');
  writeFileSync(file, image);
  return toolDigest('sha256', file);
}

/** A cap no copy of sleep fits under: processChecksum's file sources fail (EFBIG), memory answers. */
export const FILES_REFUSED = { maxBytes: 4096 };

/** /proc/<pid>/maps, read with plain fs and parsed by @procmon/parse. */
export const readMaps = (pid: number): MapsEntry[] =>
  parseMaps(new Uint8Array(readFileSync(`/proc/${pid}/maps`)));

/** `length` bytes of /proc/<pid>/mem at `address`, read with plain fs (short reads continued). */
export function readMem(pid: number, address: bigint, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  const fd = openSync(`/proc/${pid}/mem`, 'r');
  try {
    let done = 0;
    while (done < length) {
      const count = readSync(fd, bytes, done, length - done, address + BigInt(done));
      if (count === 0) throw new Error(`mem of ${pid} ended at ${address + BigInt(done)}`);
      done += count;
    }
  } finally {
    closeSync(fd);
  }
  return bytes;
}

export const pageSize = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }));

/**
 * Whether the page at `address` in process `pid` is an anonymous page (bit 61 of its pagemap
 * entry clear while bit 63, present, is set): a private file mapping's page that was written
 * (copy-on-write), e.g. the RELRO page the dynamic loader relocated before making it read-only.
 * Its bytes are no longer the file's. Needs root (or the process's owner) for the flags.
 */
export function isAnonymousPage(pid: number, address: bigint): boolean {
  const entry = new Uint8Array(8);
  const fd = openSync(`/proc/${pid}/pagemap`, 'r');
  try {
    readSync(fd, entry, 0, 8, (address / BigInt(pageSize)) * 8n);
  } finally {
    closeSync(fd);
  }
  const flags = Buffer.from(entry).readBigUInt64LE(0);
  const present = (flags >> 63n) & 1n;
  const file = (flags >> 61n) & 1n;
  return present === 1n && file === 0n;
}

/**
 * Asserts `actual` holds exactly the bytes of `expected`, fast for megabytes (toEqual walks
 * large arrays element by element); a failure names the lengths and the first differing offset.
 */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array, what = 'bytes'): void {
  expect(actual).toBeInstanceOf(Uint8Array);
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (a.equals(b)) return;
  let offset = 0;
  while (offset < a.length && offset < b.length && a[offset] === b[offset]) offset++;
  throw new Error(`${what} differ: lengths ${a.length}/${b.length}, first difference at ${offset}`);
}

/** The error a synchronous `run` throws; fails the test if there is none. */
export function syncErrorOf(run: () => unknown): unknown {
  let value: unknown;
  try {
    value = run();
  } catch (error) {
    return error;
  }
  throw new Error(`expected the call to throw, and it returned ${inspect(value, { depth: 1 })}`);
}

/** The errno code of an error (or of its cause), for assertions. */
export const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

/** The two call styles of processChecksum. */
export type Style = 'sync' | 'async';
export const styles: Style[] = ['sync', 'async'];

/** processChecksum or processChecksumAsync, by style; either way a Promise of its result. */
export const checksumOf = (
  style: Style,
  pid: number,
  algorithms: string[],
  options: ProcessChecksumOptions = {},
): Promise<ProcessChecksum> =>
  style === 'sync'
    ? Promise.resolve(processChecksum(pid, algorithms, options))
    : processChecksumAsync(pid, algorithms, options);

/** Where a field of stat (numbered as in `man 5 proc`) sits among the fields after comm. */
export const afterComm = (field: number): number => field - 3;

/** stat's bytes with `change` applied to its fields after comm (see afterComm). */
function changedStat(stat: Uint8Array, change: (fields: string[]) => void): Uint8Array {
  const text = Buffer.from(stat).toString('latin1');
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  change(fields);
  return new Uint8Array(Buffer.from(`${text.slice(0, close + 2)}${fields.join(' ')}`, 'latin1'));
}

/**
 * A ProcFS on the live /proc whose stat of a process (`<pid>/stat`), from its `from`th read on,
 * shows `change` applied to its fields after comm, sync or async; so do the stats of the
 * process's threads (`<pid>/task/<tid>/stat`) from then on, unless `threads` is false.
 */
export function changedStats(
  from: number,
  change: (fields: string[]) => void,
  { threads = true }: { threads?: boolean } = {},
): ProcFS {
  let reads = 0;
  const rewrite = (op: Op, outcome: Outcome): Outcome => {
    if (op.kind !== 'read' || !outcome.ok) return outcome;
    const main = /^\d+\/stat$/.test(op.path);
    if (main) reads++;
    const thread = threads && /^\d+\/task\/\d+\/stat$/.test(op.path);
    if (!(main || thread) || reads < from) return outcome;
    return { ok: true, value: changedStat(outcome.value as Uint8Array, change) };
  };
  return new ProcFS({
    backend: {
      name: 'changed stats',
      perform: (op, root) => rewrite(op, nodeBackend.perform(op, root)),
      performAsync: async (op, root) => rewrite(op, await nodeBackend.performAsync(op, root)),
    },
  });
}
