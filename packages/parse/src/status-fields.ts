// Which /proc/<pid>/status lines become which typed properties of Status, and how each is read.
import { ParseError } from './errors.js';
import type { Status } from './status.js';
import {
  flag,
  hexBig,
  ids,
  KIND,
  octal,
  readKilobytes,
  readState,
  readUnknownSize,
  signalQueue,
  uint,
  uintList,
  unescapeName,
} from './status-values.js';
import { decodeText, type TextDecoding } from './text.js';

type RequiredProperty =
  | 'name'
  | 'state'
  | 'stateName'
  | 'tgid'
  | 'pid'
  | 'ppid'
  | 'tracerPid'
  | 'uid'
  | 'gid';
/** A Status while its lines are read: every property optional and writable. */
export type Builder = { -readonly [K in keyof Status]?: Status[K] };

/** Reads a line's value (`bytes[start, end)`); `key` names the line in errors. */
type ValueReader = (
  key: string,
  bytes: Uint8Array,
  start: number,
  end: number,
  decoding: TextDecoding,
) => unknown;

/** A known line: the property of Status it sets, how its value reads, whether it is a size. */
interface TypedLine {
  property: keyof Status;
  read: ValueReader;
  /** A `<number> kB` line, in sizesBytes too. */
  size: boolean;
}

type LinePairs = readonly (readonly [key: string, property: keyof Status])[];

const SIZE_LINES: LinePairs = [
  ['VmPeak', 'vmPeakBytes'],
  ['VmSize', 'vmSizeBytes'],
  ['VmLck', 'vmLckBytes'],
  ['VmPin', 'vmPinBytes'],
  ['VmHWM', 'vmHwmBytes'],
  ['VmRSS', 'vmRssBytes'],
  ['RssAnon', 'rssAnonBytes'],
  ['RssFile', 'rssFileBytes'],
  ['RssShmem', 'rssShmemBytes'],
  ['VmData', 'vmDataBytes'],
  ['VmStk', 'vmStkBytes'],
  ['VmExe', 'vmExeBytes'],
  ['VmLib', 'vmLibBytes'],
  ['VmPTE', 'vmPteBytes'],
  ['VmPMD', 'vmPmdBytes'],
  ['VmSwap', 'vmSwapBytes'],
  ['HugetlbPages', 'hugetlbPagesBytes'],
];

const UINT_LINES: LinePairs = [
  ['Tgid', 'tgid'],
  ['Ngid', 'ngid'],
  ['Pid', 'pid'],
  ['PPid', 'ppid'],
  ['TracerPid', 'tracerPid'],
  ['FDSize', 'fdSize'],
  ['Threads', 'threads'],
  ['Seccomp', 'seccomp'],
  ['Seccomp_filters', 'seccompFilters'],
  ['voluntary_ctxt_switches', 'voluntaryCtxtSwitches'],
  ['nonvoluntary_ctxt_switches', 'nonvoluntaryCtxtSwitches'],
];

const HEX_LINES: LinePairs = [
  ['SigPnd', 'sigPnd'],
  ['ShdPnd', 'shdPnd'],
  ['SigBlk', 'sigBlk'],
  ['SigIgn', 'sigIgn'],
  ['SigCgt', 'sigCgt'],
  ['CapInh', 'capInh'],
  ['CapPrm', 'capPrm'],
  ['CapEff', 'capEff'],
  ['CapBnd', 'capBnd'],
  ['CapAmb', 'capAmb'],
];

const BOOLEAN_LINES: LinePairs = [
  ['Kthread', 'kthread'],
  ['CoreDumping', 'coreDumping'],
  ['THP_enabled', 'thpEnabled'],
  ['NoNewPrivs', 'noNewPrivs'],
];

const LIST_LINES: LinePairs = [
  ['NStgid', 'nsTgid'],
  ['NSpid', 'nsPid'],
  ['NSpgid', 'nsPgid'],
  ['NSsid', 'nsSid'],
];

const TEXT_LINES: LinePairs = [
  ['Speculation_Store_Bypass', 'speculationStoreBypass'],
  ['SpeculationIndirectBranch', 'speculationIndirectBranch'],
  ['Cpus_allowed_list', 'cpusAllowedList'],
  ['Mems_allowed_list', 'memsAllowedList'],
];

const ID_LINES: LinePairs = [
  ['Uid', 'uid'],
  ['Gid', 'gid'],
];

const nonEmptyList: ValueReader = (key, bytes, start, end) => {
  const list = uintList(key, bytes, start, end);
  if (list.length === 0)
    throw new ParseError(KIND, `${key}: expected at least one id`, bytes, start);
  return list;
};

const text: ValueReader = (_key, bytes, start, end, decoding) =>
  decodeText(KIND, bytes, start, end, decoding);

const name: ValueReader = (_key, bytes, start, end, decoding) =>
  unescapeName(bytes, start, end, decoding);

const prefixedHex: ValueReader = (key, bytes, start, end) => {
  if (end - start < 3 || bytes[start] !== 0x30 || bytes[start + 1] !== 0x78) {
    throw new ParseError(KIND, `${key}: expected a 0x-prefixed hex number`, bytes, start);
  }
  return hexBig(key, bytes, start + 2, end);
};

const lines = (pairs: LinePairs, read: ValueReader, size = false) =>
  pairs.map(([key, property]): [string, TypedLine] => [key, { property, read, size }]);

/** Every line with a typed property but `State` (which sets two), by key: one lookup a line. */
const TYPED_LINES = new Map<string, TypedLine>([
  ...lines(SIZE_LINES, readKilobytes, true),
  ...lines(UINT_LINES, uint),
  ...lines(HEX_LINES, hexBig),
  ...lines(BOOLEAN_LINES, flag),
  ...lines(LIST_LINES, nonEmptyList),
  ...lines(TEXT_LINES, text),
  ...lines([['Name', 'name']], name),
  ...lines([['Umask', 'umask']], octal),
  ...lines(ID_LINES, ids),
  ...lines([['Groups', 'groups']], uintList),
  ...lines([['SigQ', 'sigQ']], signalQueue),
  ...lines([['untag_mask', 'untagMask']], prefixedHex),
]);

export const REQUIRED_KEYS: ReadonlyArray<readonly [RequiredProperty, string]> = [
  ['name', 'Name'],
  ['state', 'State'],
  ['tgid', 'Tgid'],
  ['pid', 'Pid'],
  ['ppid', 'PPid'],
  ['tracerPid', 'TracerPid'],
  ['uid', 'Uid'],
  ['gid', 'Gid'],
];

/** Sets the typed property (and size) that a line's key stands for, read from its value. */
export function readTyped(
  key: string,
  bytes: Uint8Array,
  start: number,
  end: number,
  decoding: TextDecoding,
  out: Builder,
  sizesBytes: Map<string, number>,
): void {
  const line = TYPED_LINES.get(key);
  if (line !== undefined) {
    const value = line.read(key, bytes, start, end, decoding);
    (out as Record<string, unknown>)[line.property] = value;
    if (line.size) sizesBytes.set(key, value as number);
  } else if (key === 'State') {
    Object.assign(out, readState(bytes, start, end, decoding));
  } else {
    readUnknownSize(key, bytes, start, end, sizesBytes);
  }
}
