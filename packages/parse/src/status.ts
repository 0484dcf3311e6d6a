import { COLON, endOfLine, TAB } from './bytes.js';
import { ParseError } from './errors.js';
import { checkInput, type ProcInput, toBytes } from './input.js';
import { type Builder, REQUIRED_KEYS, readTyped } from './status-fields.js';
import { isBlank, KIND } from './status-values.js';
import { decodeText, type TextDecoding } from './text.js';

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
    const lineEnd = endOfLine(bytes, pos);
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
