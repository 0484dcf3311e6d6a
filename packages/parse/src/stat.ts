import { ParseError, shownValue } from './errors.js';
import { checkInput, type ProcInput, toBytes } from './input.js';
import { readInt, readUint, readUintBig } from './numbers.js';
import { decodeText, type TextDecoding } from './text.js';

const KIND = 'stat';
const SPACE = 0x20;
const NEWLINE = 0x0a;
const OPEN = 0x28;
const CLOSE = 0x29;
const MINUS = 0x2d;

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
  /** (5) Process group id. */
  pgrp: number;
  /** (6) Session id. */
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

// Indexed by field number - 1, to name the field in errors.
const FIELD_NAMES = [
  'pid',
  'comm',
  'state',
  'ppid',
  'pgrp',
  'session',
  'ttyNr',
  'tpgid',
  'flags',
  'minflt',
  'cminflt',
  'majflt',
  'cmajflt',
  'utime',
  'stime',
  'cutime',
  'cstime',
  'priority',
  'nice',
  'numThreads',
  'itrealvalue',
  'startTime',
  'vsize',
  'rss',
  'rsslim',
  'startcode',
  'endcode',
  'startstack',
  'kstkesp',
  'kstkeip',
  'signal',
  'blocked',
  'sigignore',
  'sigcatch',
  'wchan',
  'nswap',
  'cnswap',
  'exitSignal',
  'processor',
  'rtPriority',
  'policy',
  'delayacctBlkioTicks',
  'guestTime',
  'cguestTime',
  'startData',
  'endData',
  'startBrk',
  'argStart',
  'argEnd',
  'envStart',
  'envEnd',
  'exitCode',
] as const;

const fieldLabel = (field: number): string => `field ${field} (${FIELD_NAMES[field - 1]})`;

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

  const open = bytes.indexOf(OPEN);
  if (open === -1 || open >= end) {
    throw new ParseError(KIND, `${fieldLabel(2)} is missing: no "(" in the input`, bytes, 0);
  }
  if (open === 0 || bytes[open - 1] !== SPACE) {
    throw new ParseError(KIND, `expected " (" between ${fieldLabel(1)} and comm`, bytes, open);
  }
  const pid = readField(bytes, 1, 0, open - 1, readUint);

  // The fields after comm are numbers and one letter, so the last ")" closes comm even when
  // comm itself holds ")".
  const close = bytes.lastIndexOf(CLOSE, end - 1);
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

type StatHead = Pick<Stat, 'pid' | 'comm' | 'state' | 'stateName'>;

// Fields 4 to 52 by how they are read: U unsigned number, I signed number, B u64 as bigint.
const U = 0;
const I = 1;
const B = 2;
// biome-ignore format: one entry per field, 4 to 52, ten to a line
const FIELD_KINDS = Uint8Array.of(
  U, U, U, I, I, U, U, U, U, U,       // 4-13: ppid .. cmajflt
  U, U, I, I, I, I, I, U, U, B,       // 14-23: utime .. vsize
  U, B, B, B, B, B, B, B, B, B,       // 24-33: rss .. sigignore
  B, B, U, U, I, I, U, U, U, U,       // 34-43: sigcatch .. guestTime
  I, B, B, B, B, B, B, B, I,          // 44-52: cguestTime .. exitCode
);
const FIELD_COUNT = FIELD_KINDS.length;
// Reused between calls (parsing is synchronous): values of fields 4 to 52, and where the
// bigint fields too long for a double start and end.
const scratchValues = new Float64Array(FIELD_COUNT);
const scratchStarts = new Int32Array(FIELD_COUNT);
const scratchEnds = new Int32Array(FIELD_COUNT);

/**
 * The fast path: one pass over fields 4 to 52 with no per-field calls. It gives up (returns
 * undefined) on anything unusual, and `readFieldsCarefully` then reads the same bytes again
 * with messages that name the field; so both paths accept exactly the same input.
 */
function readFieldsFast(
  head: StatHead,
  bytes: Uint8Array,
  start: number,
  end: number,
): Stat | undefined {
  const values = scratchValues;
  let pos = start;
  for (let field = 0; field < FIELD_COUNT; field++) {
    if (pos >= end) return undefined;
    const kind = FIELD_KINDS[field] as number;
    let negative = false;
    if (bytes[pos] === MINUS) {
      if (kind !== I) return undefined;
      negative = true;
      pos++;
    }
    const digitsStart = pos;
    let value = 0;
    let byte = bytes[pos] as number;
    while (pos < end && byte !== SPACE) {
      const digit = byte - 0x30;
      if (digit < 0 || digit > 9) return undefined;
      value = value * 10 + digit;
      byte = bytes[++pos] as number;
    }
    const digits = pos - digitsStart;
    if (digits === 0) return undefined;
    if (digits > 15) {
      // Past 15 digits a double may round: only bigint fields read such numbers, exactly.
      if (kind !== B || digits > 20) return undefined;
      scratchStarts[field] = digitsStart;
      scratchEnds[field] = pos;
      value = -1;
    }
    values[field] = negative ? -value : value;
    if (pos < end)
      pos++; // the space
    else if (field < FIELD_COUNT - 1) return undefined;
  }
  const big = (field: number): bigint => {
    const value = values[field - 4] as number;
    if (value >= 0) return BigInt(value);
    return readUintBig(
      KIND,
      bytes,
      scratchStarts[field - 4] as number,
      scratchEnds[field - 4] as number,
    );
  };
  const n = (field: number): number => values[field - 4] as number;
  return {
    pid: head.pid,
    comm: head.comm,
    state: head.state,
    stateName: head.stateName,
    ppid: n(4),
    pgrp: n(5),
    session: n(6),
    ttyNr: n(7),
    tpgid: n(8),
    flags: n(9),
    minflt: n(10),
    cminflt: n(11),
    majflt: n(12),
    cmajflt: n(13),
    utime: n(14),
    stime: n(15),
    cutime: n(16),
    cstime: n(17),
    priority: n(18),
    nice: n(19),
    numThreads: n(20),
    itrealvalue: n(21),
    startTime: n(22),
    vsize: big(23),
    rss: n(24),
    rsslim: big(25),
    startcode: big(26),
    endcode: big(27),
    startstack: big(28),
    kstkesp: big(29),
    kstkeip: big(30),
    signal: big(31),
    blocked: big(32),
    sigignore: big(33),
    sigcatch: big(34),
    wchan: big(35),
    nswap: n(36),
    cnswap: n(37),
    exitSignal: n(38),
    processor: n(39),
    rtPriority: n(40),
    policy: n(41),
    delayacctBlkioTicks: n(42),
    guestTime: n(43),
    cguestTime: n(44),
    startData: big(45),
    endData: big(46),
    startBrk: big(47),
    argStart: big(48),
    argEnd: big(49),
    envStart: big(50),
    envEnd: big(51),
    exitCode: n(52),
  };
}

/** The careful path: reads field by field and says which field is wrong and why. */
function readFieldsCarefully(head: StatHead, bytes: Uint8Array, start: number, end: number): Stat {
  const fields = new FieldCursor(bytes, start, end);
  // Property order is evaluation order: each call reads the next field.
  return {
    pid: head.pid,
    comm: head.comm,
    state: head.state,
    stateName: head.stateName,
    // pids, process groups and sessions are never negative, though printed signed.
    ppid: fields.uint(4),
    pgrp: fields.uint(5),
    session: fields.uint(6),
    ttyNr: fields.int(7),
    tpgid: fields.int(8),
    flags: fields.uint(9),
    minflt: fields.uint(10),
    cminflt: fields.uint(11),
    majflt: fields.uint(12),
    cmajflt: fields.uint(13),
    utime: fields.uint(14),
    stime: fields.uint(15),
    cutime: fields.int(16),
    cstime: fields.int(17),
    priority: fields.int(18),
    nice: fields.int(19),
    numThreads: fields.int(20),
    itrealvalue: fields.uint(21),
    startTime: fields.uint(22),
    vsize: fields.big(23),
    rss: fields.uint(24),
    rsslim: fields.big(25),
    startcode: fields.big(26),
    endcode: fields.big(27),
    startstack: fields.big(28),
    kstkesp: fields.big(29),
    kstkeip: fields.big(30),
    signal: fields.big(31),
    blocked: fields.big(32),
    sigignore: fields.big(33),
    sigcatch: fields.big(34),
    wchan: fields.big(35),
    nswap: fields.uint(36),
    cnswap: fields.uint(37),
    exitSignal: fields.int(38),
    processor: fields.int(39),
    rtPriority: fields.uint(40),
    policy: fields.uint(41),
    delayacctBlkioTicks: fields.uint(42),
    guestTime: fields.uint(43),
    cguestTime: fields.int(44),
    startData: fields.big(45),
    endData: fields.big(46),
    startBrk: fields.big(47),
    argStart: fields.big(48),
    argEnd: fields.big(49),
    envStart: fields.big(50),
    envEnd: fields.big(51),
    exitCode: fields.int(52),
  };
}

/** Machine facts {@link statStartTime} needs. */
export interface StatStartTimeOptions {
  /** Clock ticks per second, `sysconf(_SC_CLK_TCK)` (`getconf CLK_TCK`; 100 on most systems). */
  clockTicks: number;
  /** Boot time in seconds since the epoch: the `btime` line of `/proc/stat`. */
  bootTimeSeconds: number;
}

/**
 * When a process started, in milliseconds since the epoch:
 * `bootTimeSeconds * 1000 + startTime * 1000 / clockTicks`.
 *
 * `btime` is whole seconds and the kernel's boot clock drifts from wall time (suspend, NTP), so
 * this is as exact as `ps` is, not more: compare two start times from the same `btime` for
 * identity, not against another clock. The result has a fraction when `clockTicks` does not
 * divide 1000.
 *
 * @throws ParseError (kind `'stat'`) when `clockTicks` is not a positive finite number or
 *   `bootTimeSeconds` is not a finite number ≥ 0.
 */
export function statStartTime(
  stat: Pick<Stat, 'startTime'>,
  machine: StatStartTimeOptions,
): number {
  const startTime = stat?.startTime;
  if (typeof startTime !== 'number' || !Number.isSafeInteger(startTime) || startTime < 0) {
    throw new ParseError(
      KIND,
      `stat.startTime must be a tick count, got ${shownValue(startTime)}`,
      '',
      0,
    );
  }
  const clockTicks = machine?.clockTicks;
  const bootTimeSeconds = machine?.bootTimeSeconds;
  if (typeof clockTicks !== 'number' || !Number.isFinite(clockTicks) || clockTicks <= 0) {
    throw new ParseError(
      KIND,
      `option clockTicks must be a positive number, got ${shownValue(clockTicks)}`,
      '',
      0,
    );
  }
  if (
    typeof bootTimeSeconds !== 'number' ||
    !Number.isFinite(bootTimeSeconds) ||
    bootTimeSeconds < 0
  ) {
    throw new ParseError(
      KIND,
      `option bootTimeSeconds must be a number of seconds >= 0, got ${shownValue(bootTimeSeconds)}`,
      '',
      0,
    );
  }
  return bootTimeSeconds * 1000 + (startTime * 1000) / clockTicks;
}

const STATE_NAMES: { readonly [letter in StatState]: StatStateName } = {
  R: 'running',
  S: 'sleeping',
  D: 'disk-sleep',
  Z: 'zombie',
  T: 'stopped',
  t: 'tracing-stop',
  X: 'dead',
  x: 'dead',
  K: 'wakekill',
  W: 'waking',
  P: 'parked',
  I: 'idle',
};

function stateLetter(byte: number): StatState | undefined {
  switch (byte) {
    case 0x52:
      return 'R';
    case 0x53:
      return 'S';
    case 0x44:
      return 'D';
    case 0x5a:
      return 'Z';
    case 0x54:
      return 'T';
    case 0x74:
      return 't';
    case 0x58:
      return 'X';
    case 0x78:
      return 'x';
    case 0x4b:
      return 'K';
    case 0x57:
      return 'W';
    case 0x50:
      return 'P';
    case 0x49:
      return 'I';
    default:
      return undefined;
  }
}

type Reader<T> = (kind: 'stat', bytes: Uint8Array, start: number, end: number) => T;

/** Reads one numeric field, turning a number reader's error into one that names the field. */
function readField<T>(
  bytes: Uint8Array,
  field: number,
  start: number,
  stop: number,
  read: Reader<T>,
): T {
  try {
    return read(KIND, bytes, start, stop);
  } catch {
    // Re-scan only on failure, so the message says what was wrong with which field.
    if (start === stop) throw new ParseError(KIND, `${fieldLabel(field)} is empty`, bytes, start);
    let i = start;
    if (read === readInt && bytes[i] === MINUS) i++;
    if (i === stop) throw new ParseError(KIND, `${fieldLabel(field)} has no digits`, bytes, i);
    for (; i < stop; i++) {
      const byte = bytes[i] as number;
      if (byte < 0x30 || byte > 0x39) {
        const what = read === readInt ? 'a decimal number' : 'an unsigned decimal number';
        throw new ParseError(KIND, `${fieldLabel(field)} is not ${what}`, bytes, i);
      }
    }
    const why =
      read === readUintBig ? 'is larger than 64 bits' : 'is too large to be exact as a number';
    throw new ParseError(KIND, `${fieldLabel(field)} ${why}`, bytes, start);
  }
}

/** Walks the space-separated fields after the state letter, one per call, in file order. */
class FieldCursor {
  private pos: number;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly end: number,
  ) {
    this.pos = start;
  }

  uint(field: number): number {
    return this.next(field, readUint);
  }

  int(field: number): number {
    return this.next(field, readInt);
  }

  big(field: number): bigint {
    return this.next(field, readUintBig);
  }

  private next<T>(field: number, read: Reader<T>): T {
    const { bytes, end } = this;
    const start = this.pos;
    if (start >= end) {
      throw new ParseError(KIND, `${fieldLabel(field)} is missing`, bytes, end);
    }
    let stop = bytes.indexOf(SPACE, start);
    if (stop === -1 || stop > end) stop = end;
    this.pos = stop + 1;
    return readField(bytes, field, start, stop, read);
  }
}
