// The fast path of /proc/<pid>/stat's fields 4 to 52: one pass, no per-field calls, and no
// message of its own: anything unusual goes to the careful path (stat-fields.ts).
import { MINUS, SPACE } from './bytes.js';
import { readUintBig } from './numbers.js';
import type { Stat } from './stat.js';
import { KIND, type StatHead } from './stat-fields.js';

// Fields 4 to 52 by how they are read: U unsigned number, I signed number, B u64 as bigint.
const U = 0;
const I = 1;
const B = 2;
// biome-ignore format: one entry per field, 4 to 52, ten to a line
const FIELD_KINDS = Uint8Array.of(
  U, I, I, I, I, U, U, U, U, U,       // 4-13: ppid .. cmajflt
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
export function readFieldsFast(
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
