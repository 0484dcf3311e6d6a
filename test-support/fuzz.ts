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
import fc from 'fast-check';
import { afterAll, it } from 'vitest';
import { show } from './fuzz-checks.js';
import { Watchdog } from './fuzz-watchdog.js';

export * from './fuzz-checks.js';
export * from './fuzz-inputs.js';
export {
  ascii,
  concat,
  INTERESTING_BYTES,
  INTERESTING_TOKENS,
  INTERESTING_WORDS,
  type MutationOptions,
  type Mutations,
  mutate,
  mutatedBytes,
  NUMBER_TOKENS,
} from './fuzz-mutations.js';

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
  const watchdog = new Watchdog(outDir, relativeFile, targets, STUCK_SECONDS);

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
            const details = watched(index, seed, () =>
              fc.check(fc.property(arbitrary, counted), {
                seed,
                numRuns: cases,
                ...(!fixed && replayPath !== undefined ? { path: replayPath } : {}),
              }),
            );
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
              const cause =
                details.counterexample === null
                  ? details.errorInstance
                  : errorWithStack(property, details.counterexample[0], details.errorInstance);
              throw new Error(fc.defaultReportMessage(details) ?? `${name} failed`, { cause });
            }
          },
          FUZZ_TEST_TIMEOUT_MS,
        );
      }
      if (options?.sweep !== undefined) sweep(index, name, options.sweep, property);
    },
  };

  /**
   * Runs `body` (a target's cases, `seed` -1 for a sweep) under the watchdog, with no stack
   * traces: most damaged inputs end in an error, and capturing its stack costs more than the
   * parse. The failing case runs again with them (errorWithStack) for the report.
   */
  function watched<R>(index: number, seed: number, body: () => R): R {
    acceptedCases = 0;
    watchdog.start(index, seed);
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return body();
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
      watchdog.idle();
    }
  }

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
        let cases = 0;
        let failure: { value: T; error: unknown } | undefined;
        watched(index, -1, () => {
          for (const value of values) {
            watchdog.beat(cases++);
            try {
              property(value);
            } catch (error) {
              failure = { value, error };
              break;
            }
          }
        });
        records.push({
          target: name,
          title,
          sweep: true,
          cases,
          accepted: acceptedCases,
          failed: failure !== undefined,
        });
        if (failure !== undefined) {
          const cause = errorWithStack(property, failure.value, failure.error);
          throw new Error(`${name}: case ${cases - 1} of ${what} failed: ${show(failure.value)}`, {
            cause,
          });
        }
      },
      FUZZ_TEST_TIMEOUT_MS,
    );
  }
}

/** The error `property` throws for `value` when run again with stack traces, else `fallback`. */
function errorWithStack<T>(property: (value: T) => void, value: T, fallback: unknown): unknown {
  try {
    property(value);
  } catch (error) {
    return error;
  }
  return fallback;
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
