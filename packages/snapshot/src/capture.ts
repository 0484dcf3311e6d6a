// Capturing a snapshot (Node): the raw bytes of each process's /proc files, read through
// procfs's flows (a chunk of processes per batch, as a scan reads), written as a .tar.gz that
// mirrors /proc under `proc/`, with manifest.json first.
//
// A process is captured whole or not at all: its stat is read first and again after every other
// read; a process gone meanwhile, or whose pid now has another start time, is left out and named
// in the manifest's `vanished`. Reads that failed for a process that stayed (EACCES on another
// user's fd/, ENOENT on a kernel thread's exe) are in the manifest's `failures`, with their errno,
// so a reader of the snapshot gets the error the live read gave.
import { hostname, release } from 'node:os';
import { checkAlgorithms } from '@procmon/hash';
import { parseStat } from '@procmon/parse';
import { all, type FdEntry, type Flow, ProcFS } from '@procmon/procfs';
import {
  MACHINE_FILES,
  NET_TABLES,
  PROCESS_FILES,
  PROCESS_LINKS,
  PROCESS_NAMESPACES,
} from './captured-files.js';
import { CHECKSUMS_NAME, type SnapshotChecksums, serializeChecksums } from './checksums.js';
import { captureChecksums } from './checksums-capture.js';
import { gzip } from './gzip.js';
import { idsSeen, type NameResolver, namesOf } from './id-names.js';
import {
  MANIFEST_NAME,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  type SnapshotFailure,
  type SnapshotManifest,
} from './manifest.js';
import { DEFAULT_REDACT, nameMatcher, redactEnviron } from './redact.js';
import type { TarMember } from './tar-format.js';
import { writeTar } from './tar-write.js';

export interface CaptureOptions {
  /** The procfs to read (its root and backend); a new default ProcFS unless given. */
  procfs?: ProcFS | undefined;
  /** The processes to capture; every process unless given. */
  pids?: readonly number[] | undefined;
  /** Capture each process's environment (redacted). False unless set: environments hold secrets. */
  env?: boolean | undefined;
  /** Glob patterns of variable names whose values are redacted; DEFAULT_REDACT unless given. */
  redact?: readonly string[] | undefined;
  /**
   * Hash each captured process's binary with these algorithms (`['sha256']`), into the member
   * checksums.json; no hashing unless set.
   */
  checksums?: readonly string[] | undefined;
  /** Processes read side by side in one batch; 64 unless set. */
  concurrency?: number | undefined;
  /**
   * Names for the uids and gids the capture saw (processes' status, the socket tables' owners),
   * kept in the manifest so a reader elsewhere shows this machine's names. None unless given:
   * the library asks no user database itself (the CLI gives its getent lookup).
   */
  names?: NameResolver | undefined;
}

type Reading<T> = { ok: true; value: T } | { ok: false; code: string };

interface CapturedProcess {
  pid: number;
  /** The start time of its stat, for the checksums' identity check. */
  startTime: number;
  members: TarMember[];
  failures: SnapshotFailure[];
  /** Its status file's bytes, when read (for the ids it names). */
  status?: Uint8Array | undefined;
}

/** A snapshot of the processes (every one, or `pids`) as the bytes of a .tar.gz. */
export async function captureSnapshot(options: CaptureOptions = {}): Promise<Uint8Array> {
  const procfs = options.procfs ?? new ProcFS();
  const concurrency = options.concurrency ?? 64;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new TypeError(
      `concurrency must be a whole number of at least 1, got ${String(concurrency)}`,
    );
  }
  const redacted = [...(options.redact ?? DEFAULT_REDACT)];
  const matches = nameMatcher(redacted);
  const env = options.env === true;
  const takenAt = new Date();
  const asked = options.pids ? checkedPids(options.pids) : undefined;
  const algorithms = options.checksums ? [...checkAlgorithms(options.checksums)] : undefined;
  const facts = await procfs.runAsync(procfs.flows.machineFacts());
  const pids = asked ?? (await procfs.runAsync(procfs.flows.listPids()));

  const machine = await procfs.runAsync(machineFlow(procfs));
  const processes: CapturedProcess[] = [];
  const vanished: number[] = [];
  for (let start = 0; start < pids.length; start += concurrency) {
    const chunk = pids.slice(start, start + concurrency);
    const read = await procfs.runAsync(
      all(chunk.map((pid) => processFlow(procfs, pid, env, matches))),
    );
    read.forEach((captured, i) => {
      if (captured) processes.push(captured);
      else vanished.push(chunk[i] as number);
    });
  }

  const names = options.names
    ? await namesOf(
        idsSeen(
          processes.map((p) => p.status),
          machine.members,
        ),
        options.names,
      )
    : undefined;
  const checksums = algorithms && (await captureChecksums(procfs, processes, algorithms));
  const manifest: SnapshotManifest = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    takenAt: takenAt.toISOString(),
    hostname: hostname(),
    kernel: release(),
    pageSize: facts.pageSize,
    clockTicks: facts.clockTicks,
    bootTimeSeconds: facts.bootTimeSeconds,
    pids: processes.map((p) => p.pid),
    vanished,
    failures: [...machine.failures, ...processes.flatMap((p) => p.failures)],
    environ: { captured: env, redacted: env ? redacted : [] },
    ...names,
  };
  const members: TarMember[] = [
    {
      type: 'file',
      path: MANIFEST_NAME,
      data: new TextEncoder().encode(`${JSON.stringify(manifest, null, 1)}\n`),
    },
    ...checksumsMember(checksums),
    { type: 'folder', path: 'proc/' },
    ...machine.members,
    ...processes.flatMap((p) => p.members),
  ];
  return gzip(writeTar(members, { mtimeSeconds: takenAt.getTime() / 1000 }));
}

/** checksums.json, right after the manifest, when checksums were asked for. */
const checksumsMember = (checksums: SnapshotChecksums | undefined): TarMember[] =>
  checksums ? [{ type: 'file', path: CHECKSUMS_NAME, data: serializeChecksums(checksums) }] : [];

function checkedPids(pids: readonly number[]): number[] {
  for (const pid of pids) {
    if (!Number.isSafeInteger(pid) || pid < 1)
      throw new TypeError(`pids must be positive whole numbers, got ${String(pid)}`);
  }
  return [...new Set(pids)];
}

/** A flow's value, or the errno code of why it failed. */
function* attempt<T>(flow: Flow<T>): Flow<Reading<T>> {
  try {
    return { ok: true, value: yield* flow };
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code !== 'string') throw error;
    return { ok: false, code };
  }
}

/** The machine files and the socket tables, each with its failure if it could not be read. */
function* machineFlow(procfs: ProcFS): Flow<{ members: TarMember[]; failures: SnapshotFailure[] }> {
  const paths = [...MACHINE_FILES, ...NET_TABLES.map((table) => `net/${table}`)];
  const reads = yield* all<Reading<Uint8Array>>([
    ...MACHINE_FILES.map((name) => attempt(procfs.flows.readSystemFile(name))),
    ...NET_TABLES.map((table) => attempt(procfs.flows.readNetFile(table))),
  ]);
  const members: TarMember[] = [];
  const failures: SnapshotFailure[] = [];
  reads.forEach((read, i) => {
    const file = paths[i] as string;
    if (i === MACHINE_FILES.length) members.push({ type: 'folder', path: 'proc/net/' });
    if (read.ok) members.push({ type: 'file', path: `proc/${file}`, data: read.value });
    else failures.push({ file, code: read.code });
  });
  return { members, failures };
}

/**
 * One process, whole: its stat first and last (the same start time, or it is left out: undefined),
 * everything else in one batch between.
 */
function* processFlow(
  procfs: ProcFS,
  pid: number,
  env: boolean,
  matches: (name: string) => boolean,
): Flow<CapturedProcess | undefined> {
  const before = yield* attempt(procfs.flows.readFile(pid, 'stat'));
  if (!before.ok) return undefined;
  const files = env ? [...PROCESS_FILES.slice(1), 'environ'] : PROCESS_FILES.slice(1);
  let status: Uint8Array | undefined;
  const [fileReads, linkReads, namespaceReads, fds, tasks] = yield* all([
    all(files.map((name) => attempt(procfs.flows.readFile(pid, name)))),
    all(PROCESS_LINKS.map((name) => attempt(procfs.flows.readLink(pid, name)))),
    all(PROCESS_NAMESPACES.map((type) => attempt(procfs.flows.readNamespace(pid, type)))),
    attempt(procfs.flows.listFds(pid)),
    attempt(procfs.flows.listTasks(pid)),
  ] as const);
  const after = yield* attempt(procfs.flows.readFile(pid, 'stat'));
  if (!after.ok) return undefined;
  const startTime = startTimeOf(after.value);
  if (startTime !== startTimeOf(before.value)) return undefined;

  const base = `proc/${pid}`;
  const members: TarMember[] = [{ type: 'folder', path: `${base}/` }];
  const failures: SnapshotFailure[] = [];
  members.push({ type: 'file', path: `${base}/stat`, data: after.value });
  fileReads.forEach((read, i) => {
    const name = files[i] as string;
    if (!read.ok) failures.push({ pid, file: name, code: read.code });
    else {
      if (name === 'status') status = read.value;
      const data = name === 'environ' ? redactEnviron(read.value, matches) : read.value;
      members.push({ type: 'file', path: `${base}/${name}`, data });
    }
  });
  linkReads.forEach((read, i) => {
    const name = PROCESS_LINKS[i] as string;
    if (read.ok) members.push({ type: 'link', path: `${base}/${name}`, target: read.value });
    else failures.push({ pid, file: name, code: read.code });
  });
  members.push({ type: 'folder', path: `${base}/ns/` });
  namespaceReads.forEach((read, i) => {
    const name = `ns/${PROCESS_NAMESPACES[i] as string}`;
    if (read.ok) members.push({ type: 'link', path: `${base}/${name}`, target: read.value });
    else failures.push({ pid, file: name, code: read.code });
  });
  if (fds.ok) members.push(...fdMembers(pid, fds.value, failures));
  else failures.push({ pid, file: 'fd', code: fds.code });
  if (tasks.ok) {
    members.push({ type: 'folder', path: `${base}/task/` });
    for (const tid of [...tasks.value].sort((a, b) => a - b))
      members.push({ type: 'folder', path: `${base}/task/${tid}/` });
  } else failures.push({ pid, file: 'task', code: tasks.code });
  return { pid, startTime, members, failures, status };
}

function fdMembers(pid: number, entries: FdEntry[], failures: SnapshotFailure[]): TarMember[] {
  const members: TarMember[] = [{ type: 'folder', path: `proc/${pid}/fd/` }];
  // In the kernel's order (by number), whatever order the listing came in.
  for (const entry of [...entries].sort((a, b) => a.fd - b.fd)) {
    if (entry.error) failures.push({ pid, file: `fd/${entry.fd}`, code: entry.error.code });
    else
      members.push({
        type: 'link',
        path: `proc/${pid}/fd/${entry.fd}`,
        target: entry.target.slice(),
      });
  }
  return members;
}

/** The start time of a stat file, or NaN when it does not parse (never equal: left out). */
function startTimeOf(stat: Uint8Array): number {
  try {
    return parseStat(stat).startTime;
  } catch {
    return Number.NaN;
  }
}
