import { CLOSE_PAREN, NEWLINE, OPEN_PAREN, SPACE } from './bytes.js';
import { ParseError } from './errors.js';
import { checkInput, type ProcInput, toBytes } from './input.js';
import { readUint } from './numbers.js';
import { readFieldsFast } from './stat-fast.js';
import { fieldLabel, KIND, readField, readFieldsCarefully } from './stat-fields.js';
import { STATE_NAMES, stateLetter } from './stat-state.js';
import { decodeText, type TextDecoding } from './text.js';

export { type StatStartTimeOptions, statStartTime } from './stat-start-time.js';

/**
 * The scheduler state letter in `/proc/<pid>/stat`. `x`, `K`, `W` (as "waking") only appear on
 * Linux 2.6.33 to 3.13, `P` since 3.9, `I` since 4.14.
 */
export type StatState = 'R' | 'S' | 'D' | 'Z' | 'T' | 't' | 'X' | 'x' | 'K' | 'W' | 'P' | 'I';

/** The name of a {@link StatState} letter (`X` and `x` are both `'dead'`). */
export type StatStateName =
  | 'running'
  | 'sleeping'
  | 'disk-sleep'
  | 'zombie'
  | 'stopped'
  | 'tracing-stop'
  | 'dead'
  | 'wakekill'
  | 'waking'
  | 'parked'
  | 'idle';

/**
 * The 52 fields of `/proc/<pid>/stat` (or `/proc/<pid>/task/<tid>/stat`), in file order, as
 * `man 5 proc` numbers them. Times are in clock ticks (`sysconf(_SC_CLK_TCK)`), memory sizes in
 * bytes (`vsize`) or pages (`rss`). Fields the kernel prints signed are read signed. Fields that
 * can pass 2^53 (sizes, addresses, signal masks) are bigint. Addresses and `exitCode` read as 0
 * (and `startcode`/`endcode` as 1) when the reader may not ptrace the process.
 */
export interface Stat {
  /** (1) Process id (thread id for a task's stat). */
  pid: number;
  /** (2) Executable file name or the name set with `PR_SET_NAME`: any bytes but NUL, decoded. */
  comm: string;
  /** (3) State letter. */
  state: StatState;
  /** The state letter's name. */
  stateName: StatStateName;
  /** (4) Parent process id (0 for init and for kthreadd). */
  ppid: number;
  /** (5) Process group id; -1 for a task being released (state X: its signal state is gone). */
  pgrp: number;
  /** (6) Session id; -1 for a task being released, as pgrp. */
  session: number;
  /** (7) Controlling terminal, as a device number (0 for none). */
  ttyNr: number;
  /** (8) Foreground process group of the controlling terminal (-1 for none). */
  tpgid: number;
  /** (9) Kernel `PF_*` flags. */
  flags: number;
  /** (10) Minor faults. */
  minflt: number;
  /** (11) Minor faults of waited-for children. */
  cminflt: number;
  /** (12) Major faults. */
  majflt: number;
  /** (13) Major faults of waited-for children. */
  cmajflt: number;
  /** (14) User-mode time, in clock ticks. */
  utime: number;
  /** (15) Kernel-mode time, in clock ticks. */
  stime: number;
  /** (16) User-mode time of waited-for children, in clock ticks. */
  cutime: number;
  /** (17) Kernel-mode time of waited-for children, in clock ticks. */
  cstime: number;
  /** (18) Priority as the kernel shows it: negated RT priority minus one for RT tasks, else nice + 20. */
  priority: number;
  /** (19) Nice value, -20 to 19. */
  nice: number;
  /** (20) Number of threads. */
  numThreads: number;
  /** (21) Always 0 since Linux 2.6.17. */
  itrealvalue: number;
  /** (22) Start time after boot, in clock ticks. See {@link statStartTime}. */
  startTime: number;
  /** (23) Virtual memory size, in bytes. */
  vsize: bigint;
  /** (24) Resident set size, in pages. */
  rss: number;
  /** (25) Soft limit on the RSS, in bytes (18446744073709551615 when unlimited). */
  rsslim: bigint;
  /** (26) Address above which program text can run. */
  startcode: bigint;
  /** (27) Address below which program text can run. */
  endcode: bigint;
  /** (28) Address of the start (bottom) of the stack. */
  startstack: bigint;
  /** (29) Stack pointer (0 unless the process is being dumped). */
  kstkesp: bigint;
  /** (30) Instruction pointer (0 unless the process is being dumped). */
  kstkeip: bigint;
  /** (31) Pending signals, as a bit mask (obsolete: see `/proc/<pid>/status`). */
  signal: bigint;
  /** (32) Blocked signals, as a bit mask. */
  blocked: bigint;
  /** (33) Ignored signals, as a bit mask. */
  sigignore: bigint;
  /** (34) Caught signals, as a bit mask. */
  sigcatch: bigint;
  /** (35) Since Linux 4.4 a flag, 1 when the task is not running; before, a kernel address. */
  wchan: bigint;
  /** (36) Always 0. */
  nswap: number;
  /** (37) Always 0. */
  cnswap: number;
  /** (38) Signal sent to the parent on exit (-1 for a thread that is not the leader). */
  exitSignal: number;
  /** (39) CPU last run on. */
  processor: number;
  /** (40) Real-time priority, 1 to 99, or 0 for other policies. */
  rtPriority: number;
  /** (41) Scheduling policy (`SCHED_*`). */
  policy: number;
  /** (42) Aggregated block I/O delay, in clock ticks. */
  delayacctBlkioTicks: number;
  /** (43) Guest time (running a virtual CPU), in clock ticks. */
  guestTime: number;
  /** (44) Guest time of waited-for children, in clock ticks. */
  cguestTime: number;
  /** (45) Address above which initialized and uninitialized (BSS) data are placed. */
  startData: bigint;
  /** (46) Address below which initialized and uninitialized (BSS) data are placed. */
  endData: bigint;
  /** (47) Address above which the heap can be expanded with brk(2). */
  startBrk: bigint;
  /** (48) Address above which the command-line arguments are placed. */
  argStart: bigint;
  /** (49) Address below which the command-line arguments are placed. */
  argEnd: bigint;
  /** (50) Address above which the environment is placed. */
  envStart: bigint;
  /** (51) Address below which the environment is placed. */
  envEnd: bigint;
  /** (52) Exit status in `waitpid` form (or the stop signal of a stopped task). */
  exitCode: number;
}

/** Options of {@link parseStat}. */
export interface ParseStatOptions {
  /** How the bytes of `comm` become a string; `'escape'` (lossless) by default. */
  decoding?: TextDecoding;
}

/**
 * Parses `/proc/<pid>/stat` or `/proc/<pid>/task/<tid>/stat`.
 *
 * `comm` is everything between the first `(` and the last `)`, so names holding spaces or
 * parentheses read whole. Fields a newer kernel appends after the 52nd are ignored; the trailing
 * newline is optional.
 *
 * @returns all 52 fields, plus the state letter's name.
 * @throws ParseError when a field is missing or malformed (the message names it), when the state
 *   letter is unknown, or when `comm` is not UTF-8 and `decoding` is `'strict'`.
 */
export function parseStat(input: ProcInput, options?: ParseStatOptions): Stat {
  checkInput(KIND, input);
  const bytes = toBytes(input);
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === NEWLINE) end--;
  if (end === 0) {
    throw new ParseError(KIND, `${fieldLabel(1)} is missing: the input is empty`, bytes, 0);
  }

  const open = bytes.indexOf(OPEN_PAREN);
  if (open === -1 || open >= end) {
    throw new ParseError(KIND, `${fieldLabel(2)} is missing: no "(" in the input`, bytes, 0);
  }
  if (open === 0 || bytes[open - 1] !== SPACE) {
    throw new ParseError(KIND, `expected " (" between ${fieldLabel(1)} and comm`, bytes, open);
  }
  const pid = readField(bytes, 1, 0, open - 1, readUint);

  // The fields after comm are numbers and one letter, so the last ")" closes comm even when
  // comm itself holds ")".
  const close = bytes.lastIndexOf(CLOSE_PAREN, end - 1);
  if (close <= open) {
    throw new ParseError(KIND, `${fieldLabel(2)} has no closing ")"`, bytes, open);
  }
  const comm = decodeText(KIND, bytes, open + 1, close, options?.decoding);

  if (close + 2 > end) {
    throw new ParseError(KIND, `${fieldLabel(3)} is missing`, bytes, close + 1);
  }
  if (bytes[close + 1] !== SPACE) {
    throw new ParseError(KIND, `expected a space after comm's closing ")"`, bytes, close + 1);
  }
  if (close + 2 === end) throw new ParseError(KIND, `${fieldLabel(3)} is missing`, bytes, end);
  const letter = bytes[close + 2] as number;
  if (close + 3 < end && bytes[close + 3] !== SPACE) {
    throw new ParseError(KIND, `${fieldLabel(3)} must be a single letter`, bytes, close + 2);
  }
  const state = stateLetter(letter);
  if (state === undefined) {
    const shown =
      letter >= 0x21 && letter < 0x7f
        ? `"${String.fromCharCode(letter)}"`
        : `byte 0x${letter.toString(16)}`;
    throw new ParseError(KIND, `${fieldLabel(3)} is an unknown state ${shown}`, bytes, close + 2);
  }

  const head = { pid, comm, state, stateName: STATE_NAMES[state] };
  return (
    readFieldsFast(head, bytes, close + 4, end) ?? readFieldsCarefully(head, bytes, close + 4, end)
  );
}
