// Fuzz targets of the per-process number files: stat (and statStartTime on what it gives),
// statm and io. Each parse either returns the documented shape or throws a ParseError, and a
// value, written back the way the kernel writes it, parses to the same value: that compares the
// fast path (taken by the clean text) with the careful one (taken by most damaged inputs).
import fc from 'fast-check';
import {
  encodeText,
  type Io,
  parseIo,
  parseStat,
  parseStatm,
  type Stat,
  type Statm,
  statStartTime,
} from '../../src/index.js';
import { STAT_STATE_NAMES } from '../documented.js';
import {
  anyStringable,
  ascii,
  check,
  concat,
  corpus,
  decodingTarget,
  everyPrefix,
  type FuzzInput,
  fail,
  fuzzFile,
  isInt,
  isNat,
  isUbig,
  parseBoth,
  parsed,
  parserInput,
  same,
  show,
} from './support.js';

const fuzz = fuzzFile(import.meta.url);

// --- stat ---------------------------------------------------------------------------------------

// Fields 4 to 52 in file order, with how the docs say they read: u unsigned, i signed, b bigint.
// biome-ignore format: one field a pair
const FIELDS: readonly (readonly [keyof Stat, 'u' | 'i' | 'b'])[] = [
  ['ppid', 'u'], ['pgrp', 'i'], ['session', 'i'], ['ttyNr', 'i'], ['tpgid', 'i'], ['flags', 'u'],
  ['minflt', 'u'], ['cminflt', 'u'], ['majflt', 'u'], ['cmajflt', 'u'], ['utime', 'u'],
  ['stime', 'u'], ['cutime', 'i'], ['cstime', 'i'], ['priority', 'i'], ['nice', 'i'],
  ['numThreads', 'i'], ['itrealvalue', 'u'], ['startTime', 'u'], ['vsize', 'b'], ['rss', 'u'],
  ['rsslim', 'b'], ['startcode', 'b'], ['endcode', 'b'], ['startstack', 'b'], ['kstkesp', 'b'],
  ['kstkeip', 'b'], ['signal', 'b'], ['blocked', 'b'], ['sigignore', 'b'], ['sigcatch', 'b'],
  ['wchan', 'b'], ['nswap', 'u'], ['cnswap', 'u'], ['exitSignal', 'i'], ['processor', 'i'],
  ['rtPriority', 'u'], ['policy', 'u'], ['delayacctBlkioTicks', 'u'], ['guestTime', 'u'],
  ['cguestTime', 'i'], ['startData', 'b'], ['endData', 'b'], ['startBrk', 'b'], ['argStart', 'b'],
  ['argEnd', 'b'], ['envStart', 'b'], ['envEnd', 'b'], ['exitCode', 'i'],
];
const STAT_KEYS = ['pid', 'comm', 'state', 'stateName', ...FIELDS.map(([key]) => key)].sort();

/** A number as the kernel would print it; -0 (from "-0") as "-0" so it reads back as -0. */
const decimal = (value: number | bigint) => (Object.is(value, -0) ? '-0' : String(value));

/** The stat line of `stat`, fields single-spaced, comm as the bytes it was decoded from. */
function statLine(stat: Stat): Uint8Array {
  const rest = FIELDS.map(([key]) => decimal(stat[key] as number | bigint)).join(' ');
  return concat(ascii(`${stat.pid} (`), encodeText(stat.comm), ascii(`) ${stat.state} ${rest}\n`));
}

decodingTarget(
  fuzz,
  { name: 'parseStat', kind: 'stat', parse: parseStat },
  corpus('stat'),
  (stat, value, decoding) => {
    const keys = Object.keys(stat).sort();
    check(same(keys, STAT_KEYS), () => `keys ${keys}`);
    check(isNat(stat.pid), () => `pid ${stat.pid}`);
    check(typeof stat.comm === 'string', 'comm is not a string');
    check(
      STAT_STATE_NAMES[stat.state] === stat.stateName,
      () => `state ${stat.state} ${stat.stateName}`,
    );
    for (const [key, type] of FIELDS) {
      const field = stat[key];
      const ok = type === 'u' ? isNat(field) : type === 'i' ? isInt(field) : isUbig(field);
      check(
        ok,
        () => `${key} (${type}) is ${String(field)} for ${show(value.bytes ?? value.input)}`,
      );
    }
    // comm is everything between the first "(" and the last ")", byte for byte (escape decoding).
    if (value.bytes !== undefined && (decoding === undefined || decoding === 'escape')) {
      const bytes = value.bytes;
      const end = bytes[bytes.length - 1] === 0x0a ? bytes.length - 1 : bytes.length;
      const open = bytes.indexOf(0x28);
      const close = bytes.subarray(0, end).lastIndexOf(0x29);
      check(
        same(encodeText(stat.comm), bytes.slice(open + 1, close)),
        () =>
          `comm ${JSON.stringify(stat.comm)} is not the bytes between ( and ) of ${show(bytes)}`,
      );
      // Written back canonically (the fast path's input), it reads the same.
      const again = parsed(() => parseStat(statLine(stat)), 'stat', undefined);
      check(again.ok && same(again.value, stat), () => `re-reads differently: ${show(bytes)}`);
    }
    // Its start time, for a typical machine, is a finite number of ms after boot.
    const start = statStartTime(stat, { clockTicks: 100, bootTimeSeconds: 1_700_000_000 });
    check(
      Number.isFinite(start) && start >= 1_700_000_000_000,
      () => `statStartTime ${start} for startTime ${stat.startTime}`,
    );
  },
  { mutations: { tokens: [ascii(') R '), ascii('(('), ascii('))')] } },
);

// --- statStartTime ------------------------------------------------------------------------------

const anyNumberish = fc.oneof(
  { weight: 4, arbitrary: fc.nat() },
  { weight: 2, arbitrary: fc.maxSafeNat() },
  { weight: 3, arbitrary: fc.double() },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      0,
      -0,
      1,
      100,
      250,
      1000,
      -1,
      2 ** 53,
      Number.NaN,
      Infinity,
      -Infinity,
    ),
  },
  { weight: 1, arbitrary: anyStringable },
);

fuzz.target(
  'statStartTime',
  fc.tuple(
    fc.oneof(
      { weight: 8, arbitrary: fc.record({ startTime: anyNumberish }) },
      { weight: 1, arbitrary: fc.anything() },
    ),
    fc.oneof(
      {
        weight: 8,
        arbitrary: fc.record({ clockTicks: anyNumberish, bootTimeSeconds: anyNumberish }),
      },
      { weight: 1, arbitrary: fc.anything() },
    ),
  ),
  ([stat, machine]) => {
    const result = parsed(
      () => statStartTime(stat as Stat, machine as { clockTicks: number; bootTimeSeconds: number }),
      'stat',
      0,
    );
    const startTime = (stat as { startTime?: unknown } | null)?.startTime;
    const { clockTicks, bootTimeSeconds } = (machine ?? {}) as Record<string, unknown>;
    // The documented domain: a tick count, positive finite ticks, a finite boot time >= 0.
    const valid =
      isNat(startTime) &&
      typeof clockTicks === 'number' &&
      Number.isFinite(clockTicks) &&
      clockTicks > 0 &&
      typeof bootTimeSeconds === 'number' &&
      Number.isFinite(bootTimeSeconds) &&
      bootTimeSeconds >= 0;
    if (!result.ok) {
      check(!valid, () => `refused valid arguments: ${result.error.message}`);
      return;
    }
    check(
      valid,
      () => `accepted ${String(startTime)}, ${String(clockTicks)}, ${String(bootTimeSeconds)}`,
    );
    const expected = bootTimeSeconds * 1000 + (startTime * 1000) / clockTicks;
    check(Object.is(result.value, expected), () => `${result.value}, expected ${expected}`);
  },
);

// --- statm --------------------------------------------------------------------------------------

const STATM_KEYS = ['size', 'resident', 'shared', 'text', 'lib', 'data', 'dt'] as const;
const isPowerOfTwo = (n: unknown): n is number =>
  isNat(n) && n >= 1 && 2 ** Math.round(Math.log2(n)) === n;

const pageSize = fc.oneof(
  { weight: 12, arbitrary: fc.constant(4096) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(1, 2, 16384, 65536, 2 ** 30, 2 ** 31, 2 ** 52, 2 ** 53, 2 ** 60),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(0, -4096, 3, 4095, 4097, 1.5, Number.NaN, Infinity, '4096', null),
  },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: anyStringable },
);

fuzz.target(
  'parseStatm',
  fc.tuple(parserInput(corpus('statm')), pageSize, fc.boolean()),
  ([value, size, wrapped]) => {
    const options = wrapped ? { pageSize: size } : size;
    const result = parseBoth(value, 'statm', (input) =>
      parseStatm(input as Uint8Array, options as { pageSize: number }),
    );
    const optionError = !result.ok && result.error.message.includes('option pageSize');
    const validSize = wrapped && isPowerOfTwo(size);
    // The input is checked first: a wrong type is refused whatever the page size.
    if (value.form !== 'wrong-type') {
      check(optionError === !validSize, () => `pageSize ${String(size)}: ${optionError}`);
    }
    if (!result.ok) return;
    const statm: Statm = result.value;
    for (const key of STATM_KEYS) {
      const pages = statm.pages[key];
      check(isNat(pages), () => `pages.${key} ${pages}`);
      check(statm.bytes[key] === pages * (size as number), () => `bytes.${key}`);
    }
    // Written back as the kernel writes it (the one-pass reader's input), it reads the same.
    const line = ascii(`${STATM_KEYS.map((key) => statm.pages[key]).join(' ')}\n`);
    const again = parsed(() => parseStatm(line, { pageSize: size as number }), 'statm', undefined);
    check(again.ok && same(again.value, statm), () => `re-reads differently: ${show(value.bytes)}`);
  },
  {
    sweep: everyPrefix(corpus('statm'), (input): [FuzzInput, number, boolean] => [
      input,
      4096,
      true,
    ]),
  },
);

// --- io -----------------------------------------------------------------------------------------

const IO_KEYS: readonly (readonly [keyof Io, string])[] = [
  ['rchar', 'rchar'],
  ['wchar', 'wchar'],
  ['syscr', 'syscr'],
  ['syscw', 'syscw'],
  ['readBytes', 'read_bytes'],
  ['writeBytes', 'write_bytes'],
  ['cancelledWriteBytes', 'cancelled_write_bytes'],
];

fuzz.target(
  'parseIo',
  parserInput(corpus('io'), {
    tokens: IO_KEYS.map(([, name]) => ascii(`${name}: `)),
  }),
  (value) => {
    const result = parseBoth(value, 'io', (input) => parseIo(input as Uint8Array));
    if (!result.ok) return;
    const io = result.value;
    const keys = Object.keys(io).sort();
    check(same(keys, IO_KEYS.map(([key]) => key).sort()), () => `keys ${keys}`);
    for (const [key] of IO_KEYS) check(isUbig(io[key]), () => `${key} ${String(io[key])}`);
    const text = IO_KEYS.map(([key, name]) => `${name}: ${io[key]}\n`).join('');
    const again = parsed(() => parseIo(text), 'io', undefined);
    if (!again.ok || !same(again.value, io)) fail(`re-reads differently: ${show(value.bytes)}`);
  },
  { sweep: everyPrefix(corpus('io'), (input) => input) },
);
