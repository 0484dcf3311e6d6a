// Issue #12's figures in one run: procmon's native and node backends side by side with a C floor
// of the same system calls, @stroncium/procfs, psutil and ps, as markdown tables with ratios,
// also written to tools/bench/results/native.md.
// Usage: node --expose-gc src/native.bench.mjs [--quick] [case ...]
//   (cases: environ reads async details scan fds)
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { readEnviron } from '@procmon/process';
import { Procfs } from '@stroncium/procfs';
import { readBenchArgs } from './bench-args.mjs';
import { environmentLine } from './harness.mjs';
import { makeEnviron } from './inputs.mjs';
import { fileReadOptions, floorRead } from './io-harness.mjs';
import { asyncCase } from './native-async.mjs';
import { procmonBackends } from './native-backends.mjs';
import { compileFloor, floorRow, runFloor } from './native-floor.mjs';
import { detailsCase, fdsCase, scanCase } from './native-process.mjs';
import {
  consumeEnviron,
  environPairs,
  eq,
  measureRows,
  perBackend,
  psutilRow,
  psutilVersion,
} from './native-rows.mjs';
import { faster, NativeReport, within } from './native-table.mjs';
import { runPsutilMode } from './process-children.mjs';
import { psutilProblem, startSleeper, stop } from './processes.mjs';
import { recordResults } from './report.mjs';

const CASES = ['environ', 'reads', 'async', 'details', 'scan', 'fds'];
const FILES = ['stat', 'environ', 'cmdline', 'statm', 'io'];
const { quick, plan, wanted, only } = readBenchArgs(CASES);
const stroncium = new Procfs();
const report = new NativeReport();
const psutilSkipped = psutilProblem();
const results = fileURLToPath(new URL('../results/native.md', import.meta.url));

const vsC = () => 'c';

// ---------------------------------------------------------------------------------------------
// 2. readEnviron of the 4 KiB environment, every entry consumed.

async function environCase(ctx) {
  const { pid, backends, floor, expectedPairs } = ctx;
  const name = 'environ';
  const title = `2. \`readEnviron(pid)\` of a live process's 4,096-byte, ${expectedPairs.length}-variable environment, every entry consumed`;
  const problems = [];
  for (const b of backends.filter((b) => b.procfs)) {
    const pairs = [...readEnviron(pid, { procfs: b.procfs })];
    if (!eq(pairs, expectedPairs)) problems.push(`${b.label} read ${pairs.length} variables`);
  }
  const theirs = stroncium.processEnviron(pid);
  if (!eq(theirs, expectedPairs))
    problems.push(`@stroncium/procfs read ${theirs.length} variables`);
  const check = runFloor(floor, 'read:environ', pid, 0, 1).check;
  if (check !== 4096) problems.push(`the C floor read ${check} bytes, not 4,096`);
  const entries = [
    ...perBackend(ctx.backends, (b) => ({
      name: `${b.label}: \`readEnviron(pid, { procfs })\``,
      run: () => consumeEnviron(readEnviron(pid, { procfs: b.procfs })),
    })),
    {
      key: 'stroncium',
      name: '@stroncium/procfs 1.2.1 `processEnviron(pid)`',
      run: () => consumeEnviron(stroncium.processEnviron(pid)),
    },
  ];
  if (psutilSkipped) {
    entries.push({ key: 'psutil', name: 'psutil', why: psutilSkipped });
  } else {
    const py = psutilView('environ', pid);
    if (!eq(py, [...expectedPairs].sort())) problems.push(`psutil read ${py.length} variables`);
    entries.push(
      psutilRow(
        'environ',
        pid,
        plan,
        `psutil ${psutilVersion()} \`Process(pid).environ()\`, every item read (in one python3)`,
      ),
    );
  }
  entries.push(
    floorRow(floor, 'read:environ', pid, {
      key: 'c',
      name: 'C floor: open + read to EOF + close (`cc -O2`)',
      minMs: plan.minMs,
      batch: 256,
    }),
  );
  if (problems.length > 0) return { name, title, problems };
  const rows = await measureRows(entries, plan, fileReadOptions(plan));
  const targets = [
    within(1.6, 'within 1.6x of the C floor', (b) => b, vsC),
    faster(
      1.3,
      '≥1.3x faster than @stroncium/procfs',
      (b) => b,
      () => 'stroncium',
    ),
    faster(
      3.5,
      '≥3.5x faster than psutil',
      (b) => b,
      () => 'psutil',
    ),
  ];
  return { name, title, rows, targets };
}

/** What psutil's call gave (one untimed call in process-psutil.py), for the checks. */
const psutilView = (mode, pid) => runPsutilMode(mode, pid, 0, 1).view;

// ---------------------------------------------------------------------------------------------
// 3. Raw reads: procfs.readFile of stat, environ, cmdline, statm, io.

async function readCase(ctx, file) {
  const { pid, backends, floor } = ctx;
  const name = `read ${file}`;
  const path = `/proc/${pid}/${file}`;
  const size = floorRead(path);
  const title = `3. \`procfs.readFile(pid, '${file}')\` (${size} B)`;
  const problems = [];
  for (const b of backends.filter((b) => b.procfs)) {
    const got = b.procfs.readFile(pid, file).length;
    if (got !== size) problems.push(`${b.label} read ${got} bytes, the floor ${size}`);
  }
  const check = runFloor(floor, `read:${file}`, pid, 0, 1).check;
  if (check !== size) problems.push(`the C floor read ${check} bytes, Node ${size}`);
  if (problems.length > 0) return { name, title, problems };
  const entries = [
    ...perBackend(backends, (b) => ({
      name: `${b.label}: \`procfs.readFile(pid, '${file}')\``,
      run: () => b.procfs.readFile(pid, file).length,
    })),
    {
      key: 'js',
      name: 'Node floor: `openSync` + `readSync` to 0 + `closeSync`, no copy',
      note: 'info: the least node:fs can do',
      run: () => floorRead(path),
    },
    floorRow(floor, `read:${file}`, pid, {
      key: 'c',
      name: 'C floor: open + read to EOF + close',
      minMs: plan.minMs,
      batch: 256,
    }),
  ];
  const rows = await measureRows(entries, plan, fileReadOptions(plan));
  // Node cannot do fewer system calls than C: when a row of it comes out faster than the C floor,
  // load from elsewhere hit the C floor's rounds, and this table's ratios are noise.
  const c = rows.find((row) => row.key === 'c').ns;
  const beat = rows.filter((row) => row.key !== 'c' && row.ns != null && row.ns < c);
  const extra =
    beat.length > 0
      ? [
          '',
          `faster than the C floor: ${beat.map((row) => row.key).join(', ')}; the machine was busy during the C floor's rounds, rerun on a quiet machine.`,
        ]
      : [];
  return {
    name,
    title,
    rows,
    extra,
    targets: [within(1.2, 'within 1.2x of the C floor', (b) => b, vsC)],
  };
}

// ---------------------------------------------------------------------------------------------

function runCase(result) {
  if (result.problems) {
    for (const p of result.problems) report.problem(`${result.name}: ${p}`);
    report.skipped(result.title, result.problems.join('; '));
  } else {
    report.table(result);
  }
}

async function main() {
  const started = Date.now();
  const backends = procmonBackends();
  const compiled = compileFloor();
  report.say('## procmon native read core: issue #12 figures\n');
  report.say(environmentLine());
  // Other work on the machine inflates every row, unevenly: say how busy it was.
  const load = () =>
    os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(', ');
  report.say(`load average at the start: ${load()}`);
  report.say(
    `backends: ${backends.map((b) => (b.procfs ? `${b.key} (\`${b.backend.name}\`)` : `${b.key}: not available (${b.why})`)).join(', ')}; psutil ${psutilSkipped ? `skipped (${psutilSkipped})` : psutilVersion()}; ${quick ? '--quick: one round of 100 ms per row, too noisy for figures' : `best of ${plan.rounds} interleaved rounds of about ${plan.minMs} ms per row`}.`,
  );
  report.say(
    'ns/op is the median of samples (a sample is the mean of a batch of calls: 256 for single reads and details, fewer for slow calls); the C floor and psutil time themselves in their own processes for the same budget, `ps` is timed as a whole command. "× C floor" is the row\'s time over the C floor\'s; "native vs this row" compares the native backend\'s main row with each row.\n',
  );
  // psutil's rows are part of the issue's targets: without it the run is incomplete (exit 1).
  if (psutilSkipped) report.problem(`psutil: ${psutilSkipped}`);
  if (compiled.problem) {
    report.problem(`C floor: ${compiled.problem}`);
    report.finish();
    return;
  }
  const floor = compiled.binary;
  if (['environ', 'reads', 'async', 'details'].some(wanted)) {
    const environ = makeEnviron(4096);
    const sleeper = await startSleeper(environ.bytes);
    const ctx = { pid: sleeper.pid, backends, floor, expectedPairs: environPairs(environ.bytes) };
    report.say(
      `target process: \`env -i <${environ.count} variables, 4,096 B> sleep 1000\` (pid ${sleeper.pid}).\n`,
    );
    try {
      if (wanted('environ')) runCase(await environCase(ctx));
      if (wanted('reads')) for (const file of FILES) runCase(await readCase(ctx, file));
      if (wanted('async')) runCase(await asyncCase(ctx, plan));
      if (wanted('details')) runCase(await detailsCase(ctx, plan, psutilSkipped));
    } finally {
      await stop(sleeper);
    }
  }
  if (wanted('scan')) runCase(await scanCase({ backends, floor }, plan));
  if (wanted('fds')) runCase(await fdsCase({ backends, floor }, plan, psutilSkipped));
  report.say(`load average at the end: ${load()}\n`);
  report.finish();
  report.say(`(run took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  recordResults(results, report.lines, { quick, only });
}

await main();
process.exit();
