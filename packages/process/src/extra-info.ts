// What a process holds and uses: environment, descriptors with the sockets and files behind
// them, io counters, status, stat, kernel stack, maps and statm in bytes. The files are read
// side by side; a field that fails is listed in `failures`, the others stay.

import {
  decodeText,
  type Environ,
  type Io,
  type MapsEntry,
  parseEnviron,
  parseIo,
  parseMaps,
  parseStatm,
  parseStatus,
  type Stat,
  type Statm,
  type Status,
} from '@procmon/parse';
import { all, type Flow, type ProcFS } from '@procmon/procfs';
import { type Descriptor, descriptorsFlow } from './descriptors.js';
import { captured, type FieldFailure } from './errors.js';
import type { SocketLookup } from './sockets.js';

export interface ExtraInfo {
  environ?: Environ;
  descriptors?: Descriptor[];
  io?: Io;
  status?: Status;
  stat?: Stat;
  /** The kernel stack of the main thread (root only: otherwise a `permission` failure). */
  stack?: string;
  maps?: MapsEntry[];
  /** Memory in pages and, in `bytes`, in bytes. */
  statm?: Statm;
  failures: FieldFailure[];
}

export interface ExtraInfoOptions {
  /** Which parts to read; all unless given. An unknown name is a TypeError. */
  fields?: readonly ExtraInfoField[] | undefined;
}

export type ExtraInfoField =
  | 'environ'
  | 'descriptors'
  | 'io'
  | 'status'
  | 'stat'
  | 'stack'
  | 'maps'
  | 'statm';

export const EXTRA_INFO_FIELDS: readonly ExtraInfoField[] = [
  'environ',
  'descriptors',
  'io',
  'status',
  'stat',
  'stack',
  'maps',
  'statm',
];

/**
 * Reads the wanted fields but `stat`, which the caller takes from the stat it reads afterwards
 * to check the identity (see Process.extraInfo), one read fewer.
 */
export function* extraInfoFlow(
  procfs: ProcFS,
  pid: number,
  wanted: ReadonlySet<ExtraInfoField>,
  sockets: () => SocketLookup | undefined,
): Flow<ExtraInfo> {
  const failures: FieldFailure[] = [];
  const info: ExtraInfo = { failures };
  const parts: Record<Exclude<ExtraInfoField, 'stat'>, () => Flow<unknown>> = {
    environ: function* () {
      return parseEnviron(yield* procfs.flows.readFile(pid, 'environ'));
    },
    descriptors: () => descriptorsFlow(procfs, pid, sockets(), failures),
    io: function* () {
      return parseIo(yield* procfs.flows.readFile(pid, 'io'));
    },
    status: function* () {
      return parseStatus(yield* procfs.flows.readFile(pid, 'status'));
    },
    stack: function* () {
      const bytes = yield* procfs.flows.readFile(pid, 'stack');
      return decodeText('text', bytes, 0, bytes.length);
    },
    maps: function* () {
      return parseMaps(yield* procfs.flows.readFile(pid, 'maps'));
    },
    statm: function* () {
      // The page size only when statm is read: a root without auxv fails statm alone.
      const [bytes, facts] = yield* all([
        procfs.flows.readFile(pid, 'statm'),
        procfs.flows.machineFacts(),
      ] as const);
      return parseStatm(bytes, { pageSize: facts.pageSize });
    },
  };
  const names = EXTRA_INFO_FIELDS.filter(
    (name): name is Exclude<ExtraInfoField, 'stat'> => name !== 'stat' && wanted.has(name),
  );
  const values = yield* all(names.map((name) => captured(failures, name, parts[name])));
  names.forEach((name, i) => {
    if (values[i] !== undefined) (info as unknown as Record<string, unknown>)[name] = values[i];
  });
  failures.sort((a, b) => order(a.field) - order(b.field));
  return info;
}

/** Failures in the order of the fields (a descriptor's own failures are not in this list). */
function order(field: string): number {
  const index = (EXTRA_INFO_FIELDS as readonly string[]).indexOf(field);
  return index === -1 ? EXTRA_INFO_FIELDS.length : index;
}

/** The fields as a set; an unknown name is a TypeError (before any read). */
export function checkExtraInfoFields(
  fields: readonly ExtraInfoField[],
): ReadonlySet<ExtraInfoField> {
  for (const name of fields) {
    if (!EXTRA_INFO_FIELDS.includes(name)) {
      throw new TypeError(
        `unknown extra info field "${String(name)}"; known: ${EXTRA_INFO_FIELDS.join(', ')}`,
      );
    }
  }
  return new Set(fields);
}

/** Whether an extra info result holds nothing read from the process's files. */
export function extraInfoReadNothing(info: ExtraInfo): boolean {
  return Object.keys(info).every((key) => key === 'failures');
}
