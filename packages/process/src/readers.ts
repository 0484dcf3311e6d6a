// One-call typed readers: one /proc file of one process, read through procfs and parsed, for
// users who want a field without the process model. Each has a sync and an async twin.

import {
  type CmdlineOptions,
  decodeText,
  type EnvironOptions,
  type FdTarget,
  type Io,
  type MapsOptions,
  type ParseStatOptions,
  parseCmdline,
  parseEnviron,
  parseFdTarget,
  parseIo,
  parseMaps,
  parseStat,
  parseStatm,
  parseStatus,
  type StatusOptions,
  type TextDecoding,
} from '@procmon/parse';
import type { FdEntry, ProcFS, ProcfsError } from '@procmon/procfs';
import { procfsOf } from './default-procfs.js';

export interface ReaderOptions {
  /** Where to read; a shared ProcFS on /proc unless given. */
  procfs?: ProcFS | undefined;
}

export interface TextReaderOptions extends ReaderOptions {
  /** How the bytes become a string; `'escape'` (lossless) unless set. */
  decoding?: TextDecoding | undefined;
}

export interface StatmReaderOptions extends ReaderOptions {
  /** Bytes per page; the machine's own (from auxv) unless given. */
  pageSize?: number | undefined;
}

/** One open descriptor: its number and what it points at, or why its link could not be read. */
export interface Descriptor {
  fd: number;
  /** Undefined when the link could not be read (`error` says why). */
  target: FdTarget | undefined;
  error?: ProcfsError;
}

// Each reader is a file name and a parser; the sync and async twins differ only in the read.
function fileReader<T, O extends ReaderOptions>(
  name: string,
  parse: (bytes: Uint8Array, options: O | undefined, procfs: ProcFS) => T,
) {
  return {
    sync(pid: number, options?: O): T {
      const procfs = procfsOf(options);
      return parse(procfs.readFile(pid, name), options, procfs);
    },
    async async(pid: number, options?: O): Promise<T> {
      const procfs = procfsOf(options);
      return parse(await procfs.promises.readFile(pid, name), options, procfs);
    },
  };
}

function linkReader(name: 'exe' | 'cwd' | 'root') {
  const decode = (bytes: Uint8Array, options: TextReaderOptions | undefined) =>
    decodeText('text', bytes, 0, bytes.length, options?.decoding);
  return {
    sync(pid: number, options?: TextReaderOptions): string {
      return decode(procfsOf(options).readLink(pid, name), options);
    },
    async async(pid: number, options?: TextReaderOptions): Promise<string> {
      return decode(await procfsOf(options).promises.readLink(pid, name), options);
    },
  };
}

const stat = fileReader('stat', (bytes, options: (ParseStatOptions & ReaderOptions) | undefined) =>
  parseStat(bytes, options),
);
const statm = fileReader('statm', (bytes, options: StatmReaderOptions | undefined, procfs) =>
  parseStatm(bytes, { pageSize: options?.pageSize ?? procfs.machineFacts().pageSize }),
);
const io = fileReader('io', (bytes): Io => parseIo(bytes));
const environ = fileReader(
  'environ',
  (bytes, options: (EnvironOptions & ReaderOptions) | undefined) => parseEnviron(bytes, options),
);
const cmdline = fileReader(
  'cmdline',
  (bytes, options: (CmdlineOptions & ReaderOptions) | undefined) => parseCmdline(bytes, options),
);
const status = fileReader('status', (bytes, options: (StatusOptions & ReaderOptions) | undefined) =>
  parseStatus(bytes, options),
);
const maps = fileReader('maps', (bytes, options: (MapsOptions & ReaderOptions) | undefined) =>
  parseMaps(bytes, options),
);
const comm = fileReader('comm', (bytes, options: TextReaderOptions | undefined) =>
  decodeComm(bytes, options?.decoding),
);
const stack = fileReader('stack', (bytes, options: TextReaderOptions | undefined) =>
  decodeText('text', bytes, 0, bytes.length, options?.decoding),
);
const exe = linkReader('exe');
const cwd = linkReader('cwd');
const root = linkReader('root');

/** `stat`: state, ppid, times, start time, ... (throws ProcfsError or ParseError). */
export const readStat = stat.sync;
export const readStatAsync = stat.async;
/** `statm`: memory in pages and in bytes. */
export const readStatm = statm.sync;
export const readStatmAsync = statm.async;
/** `io`: the 7 I/O counters as bigint. Another user's process needs root. */
export const readIo = io.sync;
export const readIoAsync = io.async;
/** `environ`: the environment the process started with (`get` sees the first definition). */
export const readEnviron = environ.sync;
export const readEnvironAsync = environ.async;
/** `cmdline`: the arguments, split on NUL (with the rewritten-title heuristic). */
export const readCmdline = cmdline.sync;
export const readCmdlineAsync = cmdline.async;
/** `status`: names, ids, capabilities, signal masks, memory. */
export const readStatus = status.sync;
export const readStatusAsync = status.async;
/** `maps`: the memory mappings, in address order. */
export const readMaps = maps.sync;
export const readMapsAsync = maps.async;
/** `comm`: the command name (at most 15 bytes), without the kernel's trailing newline. */
export const readComm = comm.sync;
export const readCommAsync = comm.async;
/** `stack`: the kernel stack of the main thread. Root only: otherwise PermissionDeniedError. */
export const readStack = stack.sync;
export const readStackAsync = stack.async;
/** `exe` link's target as the kernel writes it (a deleted binary ends in ` (deleted)`). */
export const readExe = exe.sync;
export const readExeAsync = exe.async;
/** `cwd` link's target: the working directory. */
export const readCwd = cwd.sync;
export const readCwdAsync = cwd.async;
/** `root` link's target: the process's root directory (`/` unless chrooted or in a container). */
export const readRoot = root.sync;
export const readRootAsync = root.async;

/** `fd/`: every open descriptor with its parsed target; one unreadable link does not hide the rest. */
export function readFds(pid: number, options?: TextReaderOptions): Descriptor[] {
  return procfsOf(options)
    .listFds(pid)
    .map((entry) => toDescriptor(entry, options?.decoding));
}

export async function readFdsAsync(
  pid: number,
  options?: TextReaderOptions,
): Promise<Descriptor[]> {
  const entries = await procfsOf(options).promises.listFds(pid);
  return entries.map((entry) => toDescriptor(entry, options?.decoding));
}

export function toDescriptor(entry: FdEntry, decoding?: TextDecoding): Descriptor {
  if (entry.error) return { fd: entry.fd, target: undefined, error: entry.error };
  return { fd: entry.fd, target: parseFdTarget(entry.target, decoding ? { decoding } : undefined) };
}

/** The comm file's text without the one newline the kernel appends (a name may end in spaces). */
export function decodeComm(bytes: Uint8Array, decoding?: TextDecoding): string {
  const end =
    bytes.length > 0 && bytes[bytes.length - 1] === 0x0a ? bytes.length - 1 : bytes.length;
  return decodeText('text', bytes, 0, end, decoding);
}
