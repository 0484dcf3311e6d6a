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

const SIZE_FIELDS = new Map<string, keyof Status>([
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
]);

const UINT_FIELDS = new Map<string, keyof Status>([
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
]);

const HEX_FIELDS = new Map<string, keyof Status>([
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
]);

const BOOLEAN_FIELDS = new Map<string, keyof Status>([
  ['Kthread', 'kthread'],
  ['CoreDumping', 'coreDumping'],
  ['THP_enabled', 'thpEnabled'],
  ['NoNewPrivs', 'noNewPrivs'],
]);

const LIST_FIELDS = new Map<string, keyof Status>([
  ['NStgid', 'nsTgid'],
  ['NSpid', 'nsPid'],
  ['NSpgid', 'nsPgid'],
  ['NSsid', 'nsSid'],
]);

const TEXT_FIELDS = new Map<string, keyof Status>([
  ['Speculation_Store_Bypass', 'speculationStoreBypass'],
  ['SpeculationIndirectBranch', 'speculationIndirectBranch'],
  ['Cpus_allowed_list', 'cpusAllowedList'],
  ['Mems_allowed_list', 'memsAllowedList'],
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
  const target = out as Record<string, unknown>;
  const sizeProperty = SIZE_FIELDS.get(key);
  if (sizeProperty !== undefined) {
    const size = readKilobytes(key, bytes, start, end);
    sizesBytes.set(key, size);
    target[sizeProperty] = size;
    return;
  }
  const uintProperty = UINT_FIELDS.get(key);
  if (uintProperty !== undefined) {
    target[uintProperty] = uint(key, bytes, start, end);
    return;
  }
  const hexProperty = HEX_FIELDS.get(key);
  if (hexProperty !== undefined) {
    target[hexProperty] = hexBig(key, bytes, start, end);
    return;
  }
  const booleanProperty = BOOLEAN_FIELDS.get(key);
  if (booleanProperty !== undefined) {
    target[booleanProperty] = flag(key, bytes, start, end);
    return;
  }
  const listProperty = LIST_FIELDS.get(key);
  if (listProperty !== undefined) {
    const list = uintList(key, bytes, start, end);
    if (list.length === 0) {
      throw new ParseError(KIND, `${key}: expected at least one id`, bytes, start);
    }
    target[listProperty] = list;
    return;
  }
  const textProperty = TEXT_FIELDS.get(key);
  if (textProperty !== undefined) {
    target[textProperty] = decodeText(KIND, bytes, start, end, decoding);
    return;
  }
  switch (key) {
    case 'Name':
      out.name = unescapeName(bytes, start, end, decoding);
      return;
    case 'Umask':
      out.umask = octal(key, bytes, start, end);
      return;
    case 'State':
      Object.assign(out, readState(bytes, start, end, decoding));
      return;
    case 'Uid':
      out.uid = ids(key, bytes, start, end);
      return;
    case 'Gid':
      out.gid = ids(key, bytes, start, end);
      return;
    case 'Groups':
      out.groups = uintList(key, bytes, start, end);
      return;
    case 'SigQ':
      out.sigQ = signalQueue(key, bytes, start, end);
      return;
    case 'untag_mask':
      if (end - start < 3 || bytes[start] !== 0x30 || bytes[start + 1] !== 0x78) {
        throw new ParseError(KIND, `${key}: expected a 0x-prefixed hex number`, bytes, start);
      }
      out.untagMask = hexBig(key, bytes, start + 2, end);
      return;
    default:
      readUnknownSize(key, bytes, start, end, sizesBytes);
  }
}
