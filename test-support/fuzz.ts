// Fuzz support shared by the packages' test/fuzz/*.test.ts: the mutation arbitraries that damage
// real captured inputs, the small checks a property makes without vitest's (slow) expect, and
// `fuzzFile`, which runs each target twice per test run (a fixed seed, then a random one),
// records how many cases ran in the package's test-results/fuzz/ folder for
// scripts/test-summary.mjs, and kills a run stuck in an endless loop instead of hanging CI.
//
// Replaying a failure: fast-check's message gives the seed (and path) of the failing run. Run the
// one target again with that seed as the random seed, e.g.
//   PROCMON_FUZZ_SEED=1234567 pnpm --filter @procmon/parse exec vitest run test/fuzz/stat.test.ts -t parseStat
// and add PROCMON_FUZZ_PATH=<path> to start from the failing case. PROCMON_FUZZ_RUNS sets the
// cases per seed (default 5,000, so 10,000 a target) for a longer campaign.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { afterAll, it } from 'vitest';

/** The seed of every target's reproducible run. */
export const FIXED_SEED = 1234;

// The PROCMON_FUZZ_* knobs are for a run by hand (pnpm --filter <package> test, or vitest
// itself): turbo passes no undeclared variable to its tasks, so CI always runs the defaults.
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a knob for runs by hand, see above
const envRuns = Number(process.env.PROCMON_FUZZ_RUNS);
/** Cases per run; each target runs twice (fixed seed, random seed). */
export const CASES_PER_SEED = Number.isSafeInteger(envRuns) && envRuns > 0 ? envRuns : 5000;

/**
 * Per fuzz test: generous, as CI machines are loaded (a 5 s default made a test flaky). A run
 * stuck in one case is the watchdog's to catch: vitest cannot interrupt synchronous code.
 */
export const FUZZ_TEST_TIMEOUT_MS = 300_000;

/** Seconds without a new case, while a target runs, before the watchdog kills the worker. */
const STUCK_SECONDS = 60;

// biome-ignore lint/suspicious/noUndeclaredEnvVars: a knob for runs by hand, see above
const envSeed = Number(process.env.PROCMON_FUZZ_SEED);
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a knob for runs by hand, see above
const replayPath = process.env.PROCMON_FUZZ_PATH;

/** One run of a target, as written to test-results/fuzz/<file>.json. */
export interface FuzzRunRecord {
  target: string;
  /** The vitest test's title, which scripts/test-summary.mjs matches with vitest's report. */
  title: string;
  seed: number;
  fixed: boolean;
  cases: number;
  /** Cases whose input the code under test took without error (`accepted()`), when it says. */
  accepted: number;
  failed: boolean;
}

/** One sweep: a property over every value of a list, as written to the same file. */
export interface FuzzSweepRecord {
  target: string;
  title: string;
  sweep: true;
  cases: number;
  accepted: number;
  failed: boolean;
}

export interface FuzzTargetOptions<T> {
  /** Cases per run (both runs); CASES_PER_SEED unless set. */
  cases?: number;
  /**
   * Values to run the property on one by one as well, all of them, in one more test (every
   * prefix of every seed input, say): `what` names them in its title.
   */
  sweep?: { what: string; values: readonly T[] };
}

export interface FuzzFile {
  /**
   * Registers a target: two vitest tests, each running `property` on `CASES_PER_SEED` values of
   * `arbitrary`, one with FIXED_SEED and one with this file's random seed. `property` throws to
   * fail (use `check`, `fail`, `outcome` below), and calls `accepted()` when the code under test
   * took the input without error, which the record counts: a target whose mutated inputs are
   * nearly all refused explores little. `options.sweep` adds a third test over given values.
   */
  target<T>(
    name: string,
    arbitrary: fc.Arbitrary<T>,
    property: (value: T) => void,
    options?: FuzzTargetOptions<T>,
  ): void;
}

/**
 * The fuzz harness of one test file (`fuzzFile(import.meta.url)`): counts land in
 * `<package>/test-results/fuzz/<file name>.json` once the file's tests are done.
 */
export function fuzzFile(fileUrl: string): FuzzFile {
  const file = fileURLToPath(fileUrl);
  const packageDir = packageRoot(dirname(file));
  const relativeFile = relative(packageDir, file).split('\\').join('/');
  const outDir = join(packageDir, 'test-results', 'fuzz');
  const outFile = join(outDir, `${basename(file).replace(/\.test\.ts$/, '')}.json`);
  const randomSeed = Number.isSafeInteger(envSeed)
    ? envSeed
    : Math.floor(Math.random() * 0x7fffffff);
  const records: (FuzzRunRecord | FuzzSweepRecord)[] = [];
  const targets: string[] = [];
  const watchdog = new Watchdog(outDir, relativeFile, targets);

  afterAll(() => {
    watchdog.stop();
    mkdirSync(outDir, { recursive: true });
    writeFileSync(
      outFile,
      `${JSON.stringify({ file: relativeFile, fixedSeed: FIXED_SEED, randomSeed, runs: records }, null, 2)}\n`,
    );
  });

  return {
    target(name, arbitrary, property, options) {
      const index = targets.push(name) - 1;
      const cases = options?.cases ?? CASES_PER_SEED;
      for (const [fixed, seed] of [
        [true, FIXED_SEED],
        [false, randomSeed],
      ] as const) {
        const title = `${name} (${fixed ? 'fixed' : 'random'} seed ${seed})`;
        it(
          title,
          () => {
            let calls = 0;
            const counted = (value: Parameters<typeof property>[0]) => {
              watchdog.beat(calls++);
              property(value);
            };
            acceptedCases = 0;
            watchdog.start(index, seed);
            // Most damaged inputs end in an error, and capturing its stack costs more than the
            // parse: no stacks while fuzzing, and the failing case again with them (below).
            const stackTraceLimit = Error.stackTraceLimit;
            Error.stackTraceLimit = 0;
            let details: fc.RunDetails<[Parameters<typeof property>[0]]>;
            try {
              details = fc.check(fc.property(arbitrary, counted), {
                seed,
                numRuns: cases,
                ...(!fixed && replayPath !== undefined ? { path: replayPath } : {}),
              });
            } finally {
              Error.stackTraceLimit = stackTraceLimit;
              watchdog.idle();
            }
            records.push({
              target: name,
              title,
              seed,
              fixed,
              cases: details.numRuns,
              accepted: acceptedCases,
              failed: details.failed,
            });
            if (details.failed) {
              let cause = details.errorInstance;
              if (details.counterexample !== null) {
                try {
                  property(details.counterexample[0]);
                } catch (error) {
                  cause = error;
                }
              }
              throw new Error(fc.defaultReportMessage(details) ?? `${name} failed`, { cause });
            }
          },
          FUZZ_TEST_TIMEOUT_MS,
        );
      }
      if (options?.sweep !== undefined) sweep(index, name, options.sweep, property);
    },
  };

  function sweep<T>(
    index: number,
    name: string,
    { what, values }: { what: string; values: readonly T[] },
    property: (value: T) => void,
  ): void {
    const title = `${name} (${what}, ${values.length} cases)`;
    it(
      title,
      () => {
        acceptedCases = 0;
        watchdog.start(index, -1);
        const stackTraceLimit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        let cases = 0;
        let failure: { value: unknown; error: unknown } | undefined;
        try {
          for (const value of values) {
            watchdog.beat(cases++);
            try {
              property(value);
            } catch (error) {
              failure = { value, error };
              break;
            }
          }
        } finally {
          Error.stackTraceLimit = stackTraceLimit;
          watchdog.idle();
        }
        records.push({
          target: name,
          title,
          sweep: true,
          cases,
          accepted: acceptedCases,
          failed: failure !== undefined,
        });
        if (failure !== undefined) {
          // Again with stacks, for the message.
          let cause = failure.error;
          try {
            property(failure.value as never);
          } catch (error) {
            cause = error;
          }
          throw new Error(`${name}: case ${cases - 1} of ${what} failed: ${show(failure.value)}`, {
            cause,
          });
        }
      },
      FUZZ_TEST_TIMEOUT_MS,
    );
  }
}

/** Every prefix of every input, the empty one and the whole input included. */
export function prefixes(inputs: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const input of inputs) {
    for (let length = 0; length <= input.length; length++) out.push(input.subarray(0, length));
  }
  return out;
}

let acceptedCases = 0;

/** Notes that the code under test took this case's input without error (see FuzzRunRecord). */
export function accepted(): void {
  acceptedCases++;
}

function packageRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

// The watchdog: a worker thread that watches a counter the property bumps for every case. A case
// that never returns (an endless loop in a parser) blocks the test's thread, so vitest's timeout
// never fires and CI would hang; the worker writes which target and seed were stuck (to stderr
// with a direct write, and to test-results/fuzz/<file>.hang.txt) and kills the process. vitest
// then reports an unhandled error and exits non-zero, but its JSON report shows the file's tests
// as skipped: scripts/test-summary.mjs counts the .hang.txt and every fuzz test that did not run
// as failures.
const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const { writeSync, writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const state = new Int32Array(workerData.shared);
const pause = new Int32Array(new SharedArrayBuffer(4));
let lastBeat = -1;
let still = 0;
for (;;) {
  Atomics.wait(pause, 0, 0, 1000);
  const phase = Atomics.load(state, 0);
  if (phase === 2) break;
  const beat = Atomics.load(state, 1);
  if (phase !== 1 || beat !== lastBeat) {
    lastBeat = beat;
    still = 0;
    continue;
  }
  if (++still < workerData.stuckSeconds) continue;
  const target = workerData.targets[Atomics.load(state, 3)];
  const seed = Atomics.load(state, 2);
  const call = Atomics.load(state, 4);
  const message =
    'fuzz watchdog: ' + workerData.file + ': target "' + target + '" made no progress for ' +
    still + ' s in case ' + call + ' (an endless loop?). ' +
    (seed < 0
      ? 'It was case ' + call + ' of its sweep.'
      : 'Replay: PROCMON_FUZZ_SEED=' + seed + ' PROCMON_FUZZ_PATH=' + call + ' vitest run ' +
        workerData.file + ' -t "' + target + ' (random"') + '\\n';
  writeSync(2, message);
  try {
    mkdirSync(workerData.outDir, { recursive: true });
    writeFileSync(join(workerData.outDir, workerData.hangFile), message);
  } catch {}
  process.kill(process.pid, 'SIGKILL');
}
`;

class Watchdog {
  // [0] phase: 0 idle, 1 running a target, 2 stopped; [1] beat; [2] seed; [3] target; [4] case.
  private readonly state = new Int32Array(new SharedArrayBuffer(5 * 4));
  private worker: Worker | undefined;

  constructor(
    private readonly outDir: string,
    private readonly file: string,
    private readonly targets: string[],
  ) {}

  start(target: number, seed: number): void {
    if (this.worker === undefined) {
      this.worker = new Worker(WATCHDOG_SOURCE, {
        eval: true,
        workerData: {
          shared: this.state.buffer,
          targets: this.targets,
          file: this.file,
          outDir: this.outDir,
          hangFile: `${basename(this.file).replace(/\.test\.ts$/, '')}.hang.txt`,
          stuckSeconds: STUCK_SECONDS,
        },
      });
      this.worker.unref();
    }
    Atomics.store(this.state, 2, seed | 0);
    Atomics.store(this.state, 3, target);
    Atomics.store(this.state, 4, 0);
    Atomics.store(this.state, 0, 1);
  }

  beat(call: number): void {
    this.state[4] = call;
    Atomics.add(this.state, 1, 1);
  }

  idle(): void {
    Atomics.store(this.state, 0, 0);
  }

  stop(): void {
    Atomics.store(this.state, 0, 2);
    void this.worker?.terminate();
    this.worker = undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Checks. A property runs 10,000 times a target: plain throws, not vitest's expect.

/** Fails the case with `message`. */
export function fail(message: string): never {
  throw new Error(message);
}

/** Fails the case with `message` (a string, or a function building it) unless `condition`. */
export function check(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) fail(typeof message === 'string' ? message : message());
}

/** A safe integer ≥ 0 (a count, an inode, a port before its range check). */
export const isNat = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** A safe integer, possibly negative. */
export const isInt = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value);

const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** A bigint in 0 .. 2^bits - 1. */
export const isUbig = (value: unknown, bits = 64): value is bigint =>
  typeof value === 'bigint' &&
  value >= 0n &&
  value <= (bits === 64 ? U64_MAX : (1n << BigInt(bits)) - 1n);

/** A port: an integer 0 .. 65535. */
export const isPort = (value: unknown): value is number => isNat(value) && value <= 0xffff;

/** An unsigned 32-bit integer. */
export const isU32 = (value: unknown): value is number => isNat(value) && value <= 0xffff_ffff;

/** Whether `a` and `b` are deeply equal (Maps, typed arrays, bigints and classes included). */
export const same = (a: unknown, b: unknown): boolean => isDeepStrictEqual(a, b);

/** What a call came to: its value, or the error it threw (one of `allowed`, else rethrown). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: Error };

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Runs `run`. An error that is an instance of one of `allowed` becomes the outcome; anything
 * else (a RangeError or TypeError from inside, a thrown non-Error) fails the case, naming it.
 */
export function outcome<T>(run: () => T, allowed: readonly ErrorClass[]): Outcome<T> {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    for (const type of allowed) if (error instanceof type) return { ok: false, error };
    const what =
      error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error);
    throw new Error(
      `threw ${what}; only ${allowed.map((type) => type.name).join(' or ')} may escape`,
    );
  }
}

/**
 * Outcomes compared: equal values, or errors of the same class and message (as `describe` gives
 * it: the whole message unless set).
 */
export function sameOutcome<T>(
  a: Outcome<T>,
  b: Outcome<T>,
  describe: (error: Error) => string = (error) => error.message,
): boolean {
  if (a.ok && b.ok) return same(a.value, b.value);
  if (!a.ok && !b.ok) {
    return a.error.constructor === b.error.constructor && describe(a.error) === describe(b.error);
  }
  return false;
}

/** A ParseError's message without its excerpt (which shows bytes around the offset). */
export const withoutExcerpt = (error: Error): string =>
  error.message.replace(/ near "[\s\S]*"$/, '');

/** One character a byte (ISO-8859-1), computed by Node: a model independent of the code under test. */
export const latin1Text = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

/** A short printable form of an input for messages: text with bytes escaped, cut at 300. */
export function show(input: unknown): string {
  if (typeof input === 'string') return JSON.stringify(input.slice(0, 300));
  if (Array.isArray(input)) return `[${input.map(show).join(', ')}]`;
  if (input !== null && typeof input === 'object' && 'input' in input) {
    return show((input as { input: unknown }).input);
  }
  if (input instanceof Uint8Array) {
    let out = '';
    for (const byte of input.subarray(0, 300)) {
      out +=
        byte >= 0x20 && byte < 0x7f && byte !== 0x5c && byte !== 0x22
          ? String.fromCharCode(byte)
          : `\\x${byte.toString(16).padStart(2, '0')}`;
    }
    return `bytes "${out}"${input.length > 300 ? `... (${input.length} bytes)` : ''}`;
  }
  return String(input);
}

// ---------------------------------------------------------------------------------------------
// Arbitraries.

const encoder = new TextEncoder();
/** The UTF-8 bytes of `text` (ASCII in practice: tokens, lines written back). */
export const ascii = (text: string): Uint8Array => encoder.encode(text);

/** Bytes that matter to some parser: separators, signs, brackets, digit and hex edges, UTF-8 leads. */
export const INTERESTING_BYTES: readonly number[] = [
  0x00, 0x0a, 0x0d, 0x09, 0x20, 0x2d, 0x2b, 0x3a, 0x28, 0x29, 0x5b, 0x5d, 0x40, 0x3d, 0x5c, 0x2f,
  0x30, 0x31, 0x37, 0x38, 0x39, 0x41, 0x46, 0x47, 0x61, 0x66, 0x67, 0x6b, 0x6e, 0x78, 0x7f, 0x80,
  0xbf, 0xc0, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xfe, 0xff,
];

/** Byte strings worth inserting anywhere: invalid and valid UTF-8, separators, markers. */
export const INTERESTING_TOKENS: readonly Uint8Array[] = [
  // Not UTF-8: a stray byte, a lone lead, a cut sequence, a surrogate, overlong, past U+10FFFF.
  Uint8Array.of(0xff),
  Uint8Array.of(0x80),
  Uint8Array.of(0xc3),
  Uint8Array.of(0xe2, 0x82),
  Uint8Array.of(0xed, 0xa0, 0x80),
  Uint8Array.of(0xed, 0xbf, 0xbf),
  Uint8Array.of(0xc0, 0xaf),
  Uint8Array.of(0xe0, 0x80, 0xaf),
  Uint8Array.of(0xf4, 0x90, 0x80, 0x80),
  Uint8Array.of(0xf0, 0x9f, 0x98),
  // UTF-8: é, €, U+FFFD, emoji (U+1F4A9's low surrogate is U+DCA9, an escaped byte's range), a
  // bidi override, U+2028.
  ascii('é'),
  ascii('€'),
  ascii('\ufffd'),
  ascii('😀'),
  ascii('\u{1F4A9}'),
  ascii('\u202e'),
  ascii('\u2028'),
  ascii('\0'),
  ascii('\n'),
  ascii('\r\n'),
  ascii('\n\n'),
  ascii('\0\0'),
  ascii(' '),
  ascii('  '),
  ascii('\t'),
  ascii('\\'),
  ascii('\\n'),
  ascii(':'),
  ascii(': '),
  ascii(':\t'),
  ascii('='),
  ascii('('),
  ascii(')'),
  ascii(') '),
  ascii(' ('),
  ascii('['),
  ascii(']'),
  ascii('@'),
  ascii('-'),
  ascii(' (deleted)'),
  ascii(' kB'),
  ascii('0x'),
];

/** Text to put where a number was: huge, negative, signed, not decimal, not ASCII digits, empty. */
export const NUMBER_TOKENS: readonly Uint8Array[] = [
  '',
  '0',
  '00',
  '-0',
  '-1',
  '+1',
  '-',
  '1.5',
  '1e3',
  '0x1f',
  'NaN',
  'Infinity',
  '٣',
  '１',
  '4294967295',
  '4294967296',
  '9007199254740991',
  '9007199254740992',
  '9007199254740993',
  '99999999999999999',
  '18446744073709551615',
  '18446744073709551616',
  '340282366920938463463374607431768211455',
  '99999999999999999999999999999999999999999999999999',
  '0000000000000000000000000000000000000000001',
  'ffffffff',
  'FFFFFFFFFFFFFFFF',
  'fffffffffffffffff',
  'ffffffffffffffffffffffffffffffff',
  '7fffffffffffffff',
  '80000000',
  'g',
  'x',
  ' 1',
  '1 ',
  '\t',
].map(ascii);

/** Little-endian u16 and u32 values worth writing into a binary message. */
export const INTERESTING_WORDS: readonly number[] = [
  0, 1, 2, 3, 4, 5, 7, 8, 10, 15, 16, 17, 18, 19, 20, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000,
  0xfffe, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
];

/** How mutations see an input: where its lines (or NUL-separated entries) are. */
export interface MutationOptions {
  /** Bytes that end a line for the line mutations ([0x0a] unless set; [] for binary input). */
  separators?: readonly number[];
  /** Byte strings worth inserting, on top of INTERESTING_TOKENS (a format's keywords). */
  tokens?: readonly Uint8Array[];
  /** Whether to write u16/u32 words at aligned offsets (binary formats). */
  words?: boolean;
  /** At most this many mutations on one input (8 unless set). */
  maxMutations?: number;
}

// A mutation is three u32s [operation, position, argument], generated as one Uint32Array per
// input: fast-check builds a typed array far faster than a list of records (a list of records
// cost more than the parse it fed), and it still shrinks. Counterexamples show the mutated
// bytes, not the mutations.
type Operation =
  | 'set'
  | 'insert'
  | 'delete'
  | 'truncate'
  | 'number'
  | 'splice'
  | 'repeat'
  | 'lineDup'
  | 'lineDelete'
  | 'lineSwap'
  | 'word';

/** Operations by weight: an operation's share of mutations is its count here. */
function operations(options: MutationOptions): Operation[] {
  const table: Operation[] = [];
  const add = (operation: Operation, weight: number) => {
    for (let i = 0; i < weight; i++) table.push(operation);
  };
  add('set', 4);
  add('insert', 3);
  add('delete', 2);
  add('truncate', 2);
  add('number', 3);
  add('splice', 1);
  add('repeat', 1);
  if ((options.separators ?? [0x0a]).length > 0) {
    add('lineDup', 2);
    add('lineDelete', 1);
    add('lineSwap', 1);
  }
  if (options.words) add('word', 5);
  return table;
}

/** Mutations of one input, as `mutate` reads them: 3 u32s each. */
export type Mutations = Uint32Array;

/** A mutator: the operations and tokens `options` allow, and the corpus splices draw from. */
interface Mutator {
  table: Operation[];
  tokens: readonly Uint8Array[];
  separators: readonly number[];
  corpus: readonly Uint8Array[];
}

function mutator(corpus: readonly Uint8Array[], options: MutationOptions): Mutator {
  return {
    table: operations(options),
    tokens: [...INTERESTING_TOKENS, ...(options.tokens ?? [])],
    separators: options.separators ?? [0x0a],
    corpus,
  };
}

/** The bytes of `parts`, one after the other, in a new array. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** [start, end) of the line holding `at`, its separator included. */
function lineAt(bytes: Uint8Array, at: number, separators: readonly number[]): [number, number] {
  let start = at;
  while (start > 0 && !separators.includes(bytes[start - 1] as number)) start--;
  let end = at;
  while (end < bytes.length && !separators.includes(bytes[end] as number)) end++;
  return [start, Math.min(end + 1, bytes.length)];
}

const isNumberByte = (byte: number): boolean =>
  (byte >= 0x30 && byte <= 0x39) ||
  (byte >= 0x41 && byte <= 0x46) ||
  (byte >= 0x61 && byte <= 0x66);

/** A byte from an argument: half the time one of INTERESTING_BYTES. */
const byteOf = (argument: number): number =>
  argument & 1
    ? (INTERESTING_BYTES[(argument >>> 1) % INTERESTING_BYTES.length] as number)
    : (argument >>> 1) & 0xff;

/**
 * Applies one mutation to `bytes`, which the caller owns (it may be changed in place); returns
 * the result, `bytes` itself or a new array.
 */
function applyMutation(
  bytes: Uint8Array,
  code: number,
  where: number,
  argument: number,
  m: Mutator,
): Uint8Array {
  const length = bytes.length;
  const at = where % (length + 1); // a place between bytes, the end included
  const operation = m.table[code % m.table.length] as Operation;
  switch (operation) {
    case 'set': {
      if (length === 0) return Uint8Array.of(byteOf(argument));
      bytes[where % length] = byteOf(argument);
      return bytes;
    }
    case 'insert': {
      // A token (3 in 5), a few arbitrary bytes, or one byte.
      const kind = argument % 5;
      const rest = Math.floor(argument / 5);
      let insertion: Uint8Array;
      if (kind < 3) insertion = m.tokens[rest % m.tokens.length] as Uint8Array;
      else if (kind === 3) {
        insertion = new Uint8Array(1 + (rest % 4));
        for (let i = 0, x = rest; i < insertion.length; i++, x >>>= 8) insertion[i] = x & 0xff;
      } else insertion = Uint8Array.of(byteOf(rest));
      return concat(bytes.subarray(0, at), insertion, bytes.subarray(at));
    }
    case 'delete': {
      const count = argument & 1 ? 1 + ((argument >>> 1) % 4) : 1 + ((argument >>> 1) % 200);
      return concat(bytes.subarray(0, at), bytes.subarray(at + count));
    }
    case 'truncate':
      return bytes.subarray(0, at);
    case 'number': {
      // The first run of digits or hex letters at or after `where` (or the first of all)
      // becomes a token of NUMBER_TOKENS.
      if (length === 0) return bytes;
      let start = where % length;
      while (start < length && !isNumberByte(bytes[start] as number)) start++;
      if (start === length) {
        start = 0;
        while (start < length && !isNumberByte(bytes[start] as number)) start++;
        if (start === length) return bytes;
      }
      while (start > 0 && isNumberByte(bytes[start - 1] as number)) start--;
      let end = start;
      while (end < length && isNumberByte(bytes[end] as number)) end++;
      const text = NUMBER_TOKENS[argument % NUMBER_TOKENS.length] as Uint8Array;
      return concat(bytes.subarray(0, start), text, bytes.subarray(end));
    }
    case 'splice': {
      // A chunk of up to 300 bytes of a corpus input, inserted.
      const source = m.corpus[argument % m.corpus.length] as Uint8Array;
      const rest = Math.floor(argument / m.corpus.length);
      const from = rest % (source.length + 1);
      const chunk = source.subarray(from, from + 1 + (Math.floor(rest / 4096) % 300));
      return concat(bytes.subarray(0, at), chunk, bytes.subarray(at));
    }
    case 'repeat': {
      // A chunk of up to 40 bytes, 2 to 64 times.
      const chunk = bytes.subarray(at, at + 1 + (argument % 40));
      if (chunk.length === 0) return bytes;
      const copies = Array.from({ length: 2 + ((argument >>> 8) % 63) }, () => chunk);
      return concat(bytes.subarray(0, at), ...copies, bytes.subarray(at + chunk.length));
    }
    case 'lineDup':
    case 'lineDelete':
    case 'lineSwap': {
      if (length === 0) return bytes;
      const [start, end] = lineAt(bytes, where % length, m.separators);
      const line = bytes.subarray(start, end);
      if (operation === 'lineDelete') return concat(bytes.subarray(0, start), bytes.subarray(end));
      if (operation === 'lineDup') {
        const copies = Array.from({ length: 1 + (argument % 3) }, () => line);
        return concat(bytes.subarray(0, end), ...copies, bytes.subarray(end));
      }
      const [otherStart, otherEnd] = lineAt(bytes, argument % length, m.separators);
      if (otherStart === start) return bytes;
      const [a, b] = start < otherStart ? [start, otherStart] : [otherStart, start];
      const [aEnd, bEnd] = start < otherStart ? [end, otherEnd] : [otherEnd, end];
      return concat(
        bytes.subarray(0, a),
        bytes.subarray(b, bEnd),
        bytes.subarray(aEnd, b),
        bytes.subarray(a, aEnd),
        bytes.subarray(bEnd),
      );
    }
    case 'word': {
      // A u16 or u32 at an aligned offset: one of INTERESTING_WORDS, or the word there nudged
      // by -8..8 (a length or count off by a few).
      const size = argument & 1 ? 4 : 2;
      if (length < size) return bytes;
      const offset = (where % (length - size + 1)) & ~(size - 1);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const nudge = (argument >>> 1) % 3 === 0 ? ((argument >>> 3) % 17) - 8 : 0;
      const old = size === 2 ? view.getUint16(offset, true) : view.getUint32(offset, true);
      const value =
        nudge !== 0
          ? (old + nudge) >>> 0
          : (INTERESTING_WORDS[(argument >>> 3) % INTERESTING_WORDS.length] as number);
      if (size === 2) view.setUint16(offset, value & 0xffff, true);
      else view.setUint32(offset, value >>> 0, true);
      return bytes;
    }
  }
}

/**
 * A real input from `corpus` with 1 to `maxMutations` mutations applied: bytes overwritten,
 * inserted (tokens, invalid UTF-8, NUL, newlines), deleted, the input truncated, numbers replaced
 * by huge, negative or non-digit text, lines duplicated, deleted or swapped, chunks of other
 * inputs spliced in, chunks repeated, words of binary formats rewritten. Now and then (1 in 8)
 * the input is left whole.
 */
export function mutatedBytes(
  corpus: readonly Uint8Array[],
  options: MutationOptions = {},
): fc.Arbitrary<Uint8Array> {
  if (corpus.length === 0) throw new Error('mutatedBytes: an empty corpus');
  const m = mutator(corpus, options);
  const max = options.maxMutations ?? 8;
  return fc
    .tuple(fc.nat(corpus.length * 8 - 1), fc.uint32Array({ minLength: 3, maxLength: 3 * max }))
    .map(([pick, list]) => {
      const bytes = corpus[pick >>> 3] as Uint8Array;
      return (pick & 7) === 7 ? bytes.slice() : applyAll(bytes, list, m);
    });
}

const mutators = new WeakMap<MutationOptions, WeakMap<readonly Uint8Array[], Mutator>>();

/**
 * `bytes` (never changed) with `list` (3 u32s a mutation, any values) applied, as a new array;
 * splices take from `corpus`, and `options` say which mutations apply.
 */
export function mutate(
  bytes: Uint8Array,
  list: Mutations,
  corpus: readonly Uint8Array[],
  options: MutationOptions = {},
): Uint8Array {
  let byCorpus = mutators.get(options);
  if (byCorpus === undefined) {
    byCorpus = new WeakMap();
    mutators.set(options, byCorpus);
  }
  let m = byCorpus.get(corpus);
  if (m === undefined) {
    m = mutator(corpus, options);
    byCorpus.set(corpus, m);
  }
  return applyAll(bytes, list, m);
}

function applyAll(bytes: Uint8Array, list: Mutations, m: Mutator): Uint8Array {
  let out: Uint8Array = bytes.slice();
  for (let i = 0; i + 2 < list.length; i += 3) {
    out = applyMutation(out, list[i] as number, list[i + 1] as number, list[i + 2] as number, m);
  }
  // A view (truncate) of a larger array is fine: the callers copy or wrap it as they need.
  return out;
}

/** A string code unit, lone surrogates (escaped bytes and others) included. */
const anyCodeUnit: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom('\0', '\n', ' ', '=', ':', '\t', '\\', '(', ')', '@') },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0xdc80, max: 0xdcff }).map((c) => String.fromCharCode(c)),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  },
);

/** Any JavaScript string: control characters, astral code points and lone surrogates too. */
export const anyString = (maxLength = 200): fc.Arbitrary<string> =>
  fc.string({ unit: anyCodeUnit, maxLength });

/**
 * Any value at all as an option, `String()`-proof or not: an option check must answer a
 * ParseError for an object without a prototype too (the campaign once found it did not).
 */
export const anyStringable: fc.Arbitrary<unknown> = fc.anything({ withNullPrototype: true });

/** Values that are neither a Uint8Array nor a string. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    undefined,
    0,
    42,
    -1,
    Number.NaN,
    10n,
    true,
    Symbol('x'),
    [0x61, 0x0a],
    { length: 2, 0: 0x61, 1: 0x0a },
    new ArrayBuffer(8),
    new DataView(new ArrayBuffer(8)),
    new Uint16Array(4),
    new Int8Array(4),
    new Uint8ClampedArray(4),
    () => 'text',
    new String('text'),
  ),
  fc.anything(),
);

/**
 * How an input reaches a parser: plain bytes; a view into a larger buffer (bytes before and
 * after it that the parser must not read); a Node Buffer; or a string (the bytes' lossless
 * `'escape'` text, `textOf`).
 */
export type InputForm = 'bytes' | 'view' | 'buffer' | 'text';

/** An input as the parser receives it, with the bytes it stands for. */
export interface FuzzInput {
  input: Uint8Array | string;
  /**
   * The bytes the parser reads: `input` itself, or the bytes the text stands for; undefined for a
   * random string (its bytes are the parser's to work out).
   */
  bytes: Uint8Array | undefined;
  form: InputForm | 'random-string';
}

/**
 * Puts `bytes` in the chosen form. `textOf` turns bytes into their exact text (the parse
 * package's `decodeText(..., 'escape')`), for the string form.
 */
export function inForm(bytes: Uint8Array, form: InputForm, textOf: (b: Uint8Array) => string) {
  switch (form) {
    case 'bytes':
      return bytes;
    case 'view': {
      const outer = new Uint8Array(bytes.length + 16);
      outer.fill(0x0a, 0, 8);
      outer.fill(0xff, 8 + bytes.length);
      outer.set(bytes, 8);
      return outer.subarray(8, 8 + bytes.length);
    }
    case 'buffer':
      return Buffer.from(bytes);
    case 'text':
      return textOf(bytes);
  }
}

/**
 * The usual parser input: mostly (6 in 8) a mutated real input, in any form, then pure random
 * bytes and random strings (1 in 8 each). `textOf` is the escape decoding, for the string form.
 */
export function procInput(
  corpus: readonly Uint8Array[],
  textOf: (b: Uint8Array) => string,
  options: MutationOptions & { maxRandomBytes?: number } = {},
): fc.Arbitrary<FuzzInput> {
  if (corpus.length === 0) throw new Error('procInput: an empty corpus');
  const m = mutator(corpus, options);
  const max = options.maxMutations ?? 8;
  // One nat picks the seed, whether to mutate it (7 in 8) and the form; one Uint32Array holds
  // the mutations: two generated values a case (nesting arbitraries costs more than the parse).
  const mutated = fc
    .tuple(fc.nat(), fc.uint32Array({ minLength: 3, maxLength: 3 * max }))
    .map(([pick, list]): FuzzInput => {
      const seed = corpus[pick % corpus.length] as Uint8Array;
      const rest = Math.floor(pick / corpus.length);
      const bytes = rest % 8 === 7 ? seed.slice() : applyAll(seed, list, m);
      const form = FORMS[Math.floor(rest / 8) % FORMS.length] as InputForm;
      return { input: inForm(bytes, form, textOf), bytes, form };
    });
  const random = fc
    .tuple(fc.uint8Array({ maxLength: options.maxRandomBytes ?? 512 }), fc.nat(FORMS.length - 1))
    .map(([bytes, f]): FuzzInput => {
      const form = FORMS[f] as InputForm;
      return { input: inForm(bytes, form, textOf), bytes, form };
    });
  return fc.oneof(
    { weight: 6, arbitrary: mutated },
    { weight: 1, arbitrary: random },
    {
      weight: 1,
      arbitrary: anyString(300).map(
        (text): FuzzInput => ({ input: text, bytes: undefined, form: 'random-string' }),
      ),
    },
  );
}

/** Forms of an input by weight: plain bytes half the time. */
const FORMS: readonly InputForm[] = ['bytes', 'bytes', 'bytes', 'view', 'buffer', 'text'];
