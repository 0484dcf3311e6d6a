import { ParseError } from './errors.js';
import { checkInput, type ProcInput, toBytes } from './input.js';
import { readHex, readHexBig, readUint, readUintBig } from './numbers.js';
import { decodeText, type TextDecoding } from './text.js';

const KIND = 'status';
const NEWLINE = 0x0a;
const TAB = 0x09;
const SPACE = 0x20;
const COLON = 0x3a;
const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const LETTER_N = 0x6e;
const KB_SUFFIX = [0x20, 0x6b, 0x42]; // " kB"

/** The four ids the kernel keeps for a task: real, effective, saved set-id, and filesystem. */
export interface StatusIds {
  real: number;
  effective: number;
  saved: number;
  filesystem: number;
}

/** The `SigQ` line: signals queued to the task's real user, and that user's queue limit. */
export interface StatusSignalQueue {
  queued: number;
  /** RLIMIT_SIGPENDING: 18446744073709551615n (2^64-1) when unlimited, hence a bigint. */
  limit: bigint;
}

/**
 * `/proc/<pid>/status`, parsed.
 *
 * Every `Key:\tvalue` line is in `fields`, and every line whose value is `<number> kB` is also in
 * `sizesBytes` (as bytes). The typed properties are conveniences over the same lines. Only the
 * lines that every Linux kernel since 2.6 writes are required; everything else is optional,
 * because kernels omit them for good reasons: a zombie or a kernel thread has no memory map (no
 * `Vm*`/`Rss*` lines) and a zombie has no `Umask`; older kernels lack newer lines (`NStgid`
 * before 4.1, `CapAmb` before 4.3, `Umask` before 4.7, `NoNewPrivs` before 4.10, `Kthread`
 * before 2024); config options remove others (`Seccomp`, `Mems_allowed*`). Emulated `/proc`s
 * (gVisor) write fewer lines still, and may fail the required ones.
 */
export interface Status {
  /**
   * Each line's value as written: the text after `Key:`, without the tab and padding spaces that
   * follow the colon, trailing spaces kept (`Groups` ends in one). `Name` keeps the kernel's
   * escapes (see `name`) and loses only the one tab after the colon, since a comm can start
   * with spaces. Keys and values are decoded with the chosen decoding.
   */
  fields: Map<string, string>;
  /**
   * Every line whose value is `<number> kB`, in bytes, keyed as in the file (`VmRSS`,
   * `HugetlbPages`, and keys this parser does not know). kB * 1024 is exact in a double: it
   * only shifts the exponent, so the product is the exact byte count (past 2^53 it stays an
   * exact multiple of 1024; sums of such values may not be).
   */
  sizesBytes: Map<string, number>;

  /**
   * The task's comm, unescaped. The kernel writes `Name` through `string_escape_str` with
   * ESCAPE_SPACE | ESCAPE_SPECIAL restricted to `\n` and `\`: a newline becomes the two
   * characters `\n` and a backslash becomes `\\`; nothing else is escaped (a tab is written as
   * is). That escaping is unambiguous, so this is the exact comm as `/proc/<pid>/comm` shows it.
   * The escaped text is `fields.get('Name')`.
   */
  name: string;
  /** `Umask`, from octal. Absent for tasks without a filesystem context (zombies). */
  umask?: number;
  /** The state letter (`R`, `S`, `D`, `T`, `t`, `X`, `Z`, `P`, `I`, ...). */
  state: string;
  /** The state's name in parentheses after the letter, as written (`sleeping`, `zombie`). */
  stateName: string;
  tgid: number;
  /** NUMA group leader; 0 without NUMA balancing. Missing before Linux 3.13. */
  ngid?: number;
  pid: number;
  ppid: number;
  tracerPid: number;
  uid: StatusIds;
  gid: StatusIds;
  fdSize?: number;
  /** Supplementary group ids. */
  groups?: number[];
  /** Ids in each pid namespace from the reader's down to the task's own (innermost last). */
  nsTgid?: number[];
  nsPid?: number[];
  nsPgid?: number[];
  nsSid?: number[];
  kthread?: boolean;
  vmPeakBytes?: number;
  vmSizeBytes?: number;
  vmLckBytes?: number;
  vmPinBytes?: number;
  vmHwmBytes?: number;
  vmRssBytes?: number;
  rssAnonBytes?: number;
  rssFileBytes?: number;
  rssShmemBytes?: number;
  vmDataBytes?: number;
  vmStkBytes?: number;
  vmExeBytes?: number;
  vmLibBytes?: number;
  vmPteBytes?: number;
  /** `VmPMD`, written by Linux 4.0 to 4.14 only. */
  vmPmdBytes?: number;
  vmSwapBytes?: number;
  hugetlbPagesBytes?: number;
  coreDumping?: boolean;
  thpEnabled?: boolean;
  /** `untag_mask` (written as `0x...`). */
  untagMask?: bigint;
  threads?: number;
  sigQ?: StatusSignalQueue;
  /** Signal masks, bit n-1 for signal n. */
  sigPnd?: bigint;
  shdPnd?: bigint;
  sigBlk?: bigint;
  sigIgn?: bigint;
  sigCgt?: bigint;
  /** Capability sets, bit n for capability n. */
  capInh?: bigint;
  capPrm?: bigint;
  capEff?: bigint;
  capBnd?: bigint;
  capAmb?: bigint;
  noNewPrivs?: boolean;
  /** Seccomp mode: 0 disabled, 1 strict, 2 filter. */
  seccomp?: number;
  seccompFilters?: number;
  speculationStoreBypass?: string;
  speculationIndirectBranch?: string;
  cpusAllowedList?: string;
  memsAllowedList?: string;
  voluntaryCtxtSwitches?: number;
  nonvoluntaryCtxtSwitches?: number;
}

/** Options for `parseStatus`. */
export interface StatusOptions {
  /** How keys and values (the comm in `Name` above all) become strings; default `'escape'`. */
  decoding?: TextDecoding;
}

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
type Builder = { -readonly [K in keyof Status]?: Status[K] };

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

const REQUIRED_KEYS: ReadonlyArray<readonly [RequiredProperty, string]> = [
  ['name', 'Name'],
  ['state', 'State'],
  ['tgid', 'Tgid'],
  ['pid', 'Pid'],
  ['ppid', 'PPid'],
  ['tracerPid', 'TracerPid'],
  ['uid', 'Uid'],
  ['gid', 'Gid'],
];

/**
 * Parses `/proc/<pid>/status`.
 *
 * Returns every line in `fields`, every `<n> kB` line in `sizesBytes`, and typed properties for
 * the lines it knows. Unknown keys are kept in `fields` only.
 * Throws ParseError for a line without `:`, an empty or repeated key, a known key whose value
 * does not have the kernel's shape (the message names the key), or a missing `Name`, `State`,
 * `Tgid`, `Pid`, `PPid`, `TracerPid`, `Uid` or `Gid` line.
 */
export function parseStatus(input: ProcInput, options?: StatusOptions): Status {
  checkInput(KIND, input);
  const decoding = options?.decoding ?? 'escape';
  const bytes = toBytes(input);
  const length = bytes.length;
  const fields = new Map<string, string>();
  const sizesBytes = new Map<string, number>();
  const out: Builder = {};

  let pos = 0;
  let lineNumber = 0;
  while (pos < length) {
    let lineEnd = bytes.indexOf(NEWLINE, pos);
    if (lineEnd < 0) lineEnd = length;
    lineNumber++;
    const colon = bytes.indexOf(COLON, pos);
    if (colon < 0 || colon > lineEnd) {
      throw new ParseError(KIND, `line ${lineNumber} has no ":" after its key`, bytes, pos);
    }
    if (colon === pos)
      throw new ParseError(KIND, `line ${lineNumber} has an empty key`, bytes, pos);
    const key = decodeText(KIND, bytes, pos, colon, decoding);
    if (fields.has(key)) {
      throw new ParseError(KIND, `line ${lineNumber} repeats the key ${key}`, bytes, pos);
    }

    let valueStart = colon + 1;
    if (key === 'Name') {
      // Only the separator tab goes: a comm may itself start with spaces or a tab.
      if (bytes[valueStart] !== TAB) {
        throw new ParseError(KIND, 'Name: expected a tab after the colon', bytes, valueStart);
      }
      valueStart++;
    } else {
      while (valueStart < lineEnd && isBlank(bytes[valueStart] as number)) valueStart++;
    }
    fields.set(key, decodeText(KIND, bytes, valueStart, lineEnd, decoding));
    readTyped(key, bytes, valueStart, lineEnd, decoding, out, sizesBytes);
    pos = lineEnd + 1;
  }

  for (const [property, key] of REQUIRED_KEYS) {
    if (out[property] === undefined) {
      throw new ParseError(KIND, `missing the ${key} line`, bytes, length);
    }
  }
  return { ...out, fields, sizesBytes } as Status;
}

function readTyped(
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
      readState(bytes, start, end, decoding, out);
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

/** A line this parser does not know is a size only when its value is exactly `<digits> kB`. */
function readUnknownSize(
  key: string,
  bytes: Uint8Array,
  start: number,
  end: number,
  sizesBytes: Map<string, number>,
): void {
  if (!endsWithKilobytes(bytes, start, end)) return;
  const digitsEnd = end - KB_SUFFIX.length;
  let digitsStart = start;
  while (digitsStart < digitsEnd && bytes[digitsStart] === SPACE) digitsStart++;
  if (allDigits(bytes, digitsStart, digitsEnd)) {
    sizesBytes.set(key, readKilobytes(key, bytes, start, end));
  }
}

function isBlank(byte: number): boolean {
  return byte === TAB || byte === SPACE;
}

function allDigits(bytes: Uint8Array, start: number, end: number): boolean {
  if (start >= end) return false;
  for (let i = start; i < end; i++) {
    const byte = bytes[i] as number;
    if (byte < 0x30 || byte > 0x39) return false;
  }
  return true;
}

function endsWithKilobytes(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start < KB_SUFFIX.length) return false;
  const at = end - KB_SUFFIX.length;
  return bytes[at] === SPACE && bytes[at + 1] === 0x6b && bytes[at + 2] === 0x42;
}

/** Turns a numbers.ts error into one that names the status key. */
function keyError(error: unknown, key: string, expected: string, bytes: Uint8Array): unknown {
  if (!(error instanceof ParseError)) return error;
  return new ParseError(KIND, `${key}: expected ${expected}`, bytes, error.offset);
}

function uint(key: string, bytes: Uint8Array, start: number, end: number): number {
  try {
    return readUint(KIND, bytes, start, end);
  } catch (error) {
    throw keyError(error, key, 'an unsigned decimal number below 2^53', bytes);
  }
}

// Signal sets are 128 bits on MIPS (_NSIG 128): 32 hex digits, past readHexBig's 64 bits.
const MAX_MASK_DIGITS = 32;

/** A hex mask of up to 128 bits; a longer one is no kernel's and is refused, not read. */
function hexBig(key: string, bytes: Uint8Array, start: number, end: number): bigint {
  if (end - start > MAX_MASK_DIGITS) {
    throw new ParseError(KIND, `${key}: a mask of more than 128 bits`, bytes, start);
  }
  try {
    if (end - start <= 16) return readHexBig(KIND, bytes, start, end);
    let value = 0n;
    for (let i = start; i < end; i += 12) {
      const chunkEnd = Math.min(end, i + 12);
      value = (value << BigInt((chunkEnd - i) * 4)) | BigInt(readHex(KIND, bytes, i, chunkEnd));
    }
    return value;
  } catch (error) {
    throw keyError(error, key, 'a hex number', bytes);
  }
}

function flag(key: string, bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start === 1) {
    if (bytes[start] === 0x30) return false;
    if (bytes[start] === 0x31) return true;
  }
  throw new ParseError(KIND, `${key}: expected 0 or 1`, bytes, start);
}

function octal(key: string, bytes: Uint8Array, start: number, end: number): number {
  // A umask is at most 0777; 12 octal digits keep the value far below 2^53.
  if (start >= end || end - start > 12) {
    throw new ParseError(KIND, `${key}: expected an octal number`, bytes, start);
  }
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = (bytes[i] as number) - 0x30;
    if (digit < 0 || digit > 7) {
      throw new ParseError(KIND, `${key}: expected an octal number`, bytes, i);
    }
    value = value * 8 + digit;
  }
  return value;
}

function readKilobytes(key: string, bytes: Uint8Array, start: number, end: number): number {
  if (!endsWithKilobytes(bytes, start, end)) {
    throw new ParseError(KIND, `${key}: expected "<number> kB"`, bytes, start);
  }
  let digitsStart = start;
  const digitsEnd = end - KB_SUFFIX.length;
  while (digitsStart < digitsEnd && bytes[digitsStart] === SPACE) digitsStart++;
  try {
    return readUint(KIND, bytes, digitsStart, digitsEnd) * 1024;
  } catch (error) {
    throw keyError(error, key, '"<number> kB" with a number below 2^53', bytes);
  }
}

/** Numbers separated by tabs or spaces (`Groups` ends in a space, `NSpid` uses tabs). */
function uintList(key: string, bytes: Uint8Array, start: number, end: number): number[] {
  const list: number[] = [];
  let i = start;
  while (i < end) {
    while (i < end && isBlank(bytes[i] as number)) i++;
    if (i >= end) break;
    let j = i;
    while (j < end && !isBlank(bytes[j] as number)) j++;
    list.push(uint(key, bytes, i, j));
    i = j;
  }
  return list;
}

function ids(key: string, bytes: Uint8Array, start: number, end: number): StatusIds {
  const list = uintList(key, bytes, start, end);
  if (list.length !== 4) {
    throw new ParseError(
      KIND,
      `${key}: expected 4 ids (real, effective, saved, filesystem), found ${list.length}`,
      bytes,
      start,
    );
  }
  return {
    real: list[0] as number,
    effective: list[1] as number,
    saved: list[2] as number,
    filesystem: list[3] as number,
  };
}

function signalQueue(
  key: string,
  bytes: Uint8Array,
  start: number,
  end: number,
): StatusSignalQueue {
  let slash = -1;
  for (let i = start; i < end; i++) {
    if (bytes[i] === SLASH) {
      slash = i;
      break;
    }
  }
  if (slash < 0) throw new ParseError(KIND, `${key}: expected "<queued>/<limit>"`, bytes, start);
  let limit: bigint;
  try {
    limit = readUintBig(KIND, bytes, slash + 1, end);
  } catch (error) {
    throw keyError(error, key, 'an unsigned decimal limit', bytes);
  }
  return { queued: uint(key, bytes, start, slash), limit };
}

function readState(
  bytes: Uint8Array,
  start: number,
  end: number,
  decoding: TextDecoding,
  out: Builder,
): void {
  // "S (sleeping)": one letter, a space, the name in parentheses.
  const letter = bytes[start] as number;
  if (
    end - start < 5 ||
    letter <= SPACE ||
    letter >= 0x7f ||
    bytes[start + 1] !== SPACE ||
    bytes[start + 2] !== 0x28 ||
    bytes[end - 1] !== 0x29
  ) {
    throw new ParseError(KIND, 'State: expected "<letter> (<name>)"', bytes, start);
  }
  out.state = String.fromCharCode(letter);
  out.stateName = decodeText(KIND, bytes, start + 3, end - 1, decoding);
}

function unescapeName(
  bytes: Uint8Array,
  start: number,
  end: number,
  decoding: TextDecoding,
): string {
  let escaped = false;
  for (let i = start; i < end && !escaped; i++) escaped = bytes[i] === BACKSLASH;
  if (!escaped) return decodeText(KIND, bytes, start, end, decoding);
  const raw = new Uint8Array(end - start);
  let n = 0;
  for (let i = start; i < end; i++) {
    const byte = bytes[i] as number;
    if (byte !== BACKSLASH) {
      raw[n++] = byte;
      continue;
    }
    const next = bytes[i + 1];
    if (i + 1 < end && next === BACKSLASH) raw[n++] = BACKSLASH;
    else if (i + 1 < end && next === LETTER_N) raw[n++] = NEWLINE;
    else {
      throw new ParseError(KIND, 'Name: a backslash not followed by "\\" or "n"', bytes, i);
    }
    i++;
  }
  return decodeText(KIND, raw, 0, n, decoding);
}
