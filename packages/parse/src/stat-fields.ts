// The careful reading of /proc/<pid>/stat's fields: field by field, with errors that name the
// field (its number as `man 5 proc` gives it, and its property) and say what was wrong with it.
import { MINUS, SPACE } from './bytes.js';
import { ParseError } from './errors.js';
import { readInt, readUint, readUintBig } from './numbers.js';
import type { Stat } from './stat.js';

export const KIND = 'stat';

/** What the state line gave before fields 4 to 52: the same for both paths. */
export type StatHead = Pick<Stat, 'pid' | 'comm' | 'state' | 'stateName'>;

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

export const fieldLabel = (field: number): string => `field ${field} (${FIELD_NAMES[field - 1]})`;

/** The careful path: reads field by field and says which field is wrong and why. */
export function readFieldsCarefully(
  head: StatHead,
  bytes: Uint8Array,
  start: number,
  end: number,
): Stat {
  const fields = new FieldCursor(bytes, start, end);
  // Property order is evaluation order: each call reads the next field.
  return {
    pid: head.pid,
    comm: head.comm,
    state: head.state,
    stateName: head.stateName,
    // A parent pid is never negative. The process group and session are -1 for a task past
    // __exit_signal (fs/proc/array.c starts them at -1 and fills them only while the task has
    // its sighand): a process being released, state X.
    ppid: fields.uint(4),
    pgrp: fields.int(5),
    session: fields.int(6),
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

type Reader<T> = (kind: 'stat', bytes: Uint8Array, start: number, end: number) => T;

/** Reads one numeric field, turning a number reader's error into one that names the field. */
export function readField<T>(
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
