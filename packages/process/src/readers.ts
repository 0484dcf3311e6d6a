// One-call typed readers: one /proc file of one process, read through procfs and parsed, for
// users who want a field without the process model. Each is one flow, run sync or async.

import {
  type CmdlineOptions,
  decodeText,
  type EnvironOptions,
  type Io,
  type MapsOptions,
  type ParseStatOptions,
  parseCmdline,
  parseEnviron,
  parseIo,
  parseMaps,
  parseStat,
  parseStatm,
  parseStatus,
  type StatusOptions,
  type TextDecoding,
} from '@procmon/parse';
import { all, type Flow, type ProcFS } from '@procmon/procfs';
import { procfsOf } from './default-procfs.js';
import { type Descriptor, toDescriptor } from './descriptors.js';

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

/** A reader's flow; `sync` and `async` run it. */
type ReaderFlow<T, O> = (procfs: ProcFS, pid: number, options: O | undefined) => Flow<T>;

function reader<T, O extends ReaderOptions>(flow: ReaderFlow<T, O>) {
  return {
    sync(pid: number, options?: O): T {
      const procfs = procfsOf(options);
      return procfs.run(flow(procfs, pid, options));
    },
    async(pid: number, options?: O): Promise<T> {
      const procfs = procfsOf(options);
      return procfs.runAsync(flow(procfs, pid, options));
    },
  };
}

/** A reader of one file, parsed. */
function fileReader<T, O extends ReaderOptions>(
  name: string,
  parse: (bytes: Uint8Array, options: O | undefined) => T,
) {
  return reader<T, O>(function* (procfs, pid, options) {
    return parse(yield* procfs.flows.readFile(pid, name), options);
  });
}

/** A reader of one link's target, decoded. */
function linkReader(name: 'exe' | 'cwd' | 'root') {
  return reader<string, TextReaderOptions>(function* (procfs, pid, options) {
    const bytes = yield* procfs.flows.readLink(pid, name);
    return decodeText('text', bytes, 0, bytes.length, options?.decoding);
  });
}

const stat = fileReader('stat', (bytes, options: (ParseStatOptions & ReaderOptions) | undefined) =>
  parseStat(bytes, options),
);
const statm = reader<ReturnType<typeof parseStatm>, StatmReaderOptions>(
  function* (procfs, pid, options) {
    if (options?.pageSize !== undefined) {
      return parseStatm(yield* procfs.flows.readFile(pid, 'statm'), { pageSize: options.pageSize });
    }
    const [bytes, facts] = yield* all([
      procfs.flows.readFile(pid, 'statm'),
      procfs.flows.machineFacts(),
    ] as const);
    return parseStatm(bytes, { pageSize: facts.pageSize });
  },
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
const fds = reader<Descriptor[], TextReaderOptions>(function* (procfs, pid, options) {
  const entries = yield* procfs.flows.listFds(pid);
  return entries.map((entry) => toDescriptor(entry, options?.decoding));
});

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
export const readFds = fds.sync;
export const readFdsAsync = fds.async;

/** The comm file's text without the one newline the kernel appends (a name may end in spaces). */
export function decodeComm(bytes: Uint8Array, decoding?: TextDecoding): string {
  const end =
    bytes.length > 0 && bytes[bytes.length - 1] === 0x0a ? bytes.length - 1 : bytes.length;
  return decodeText('text', bytes, 0, end, decoding);
}
