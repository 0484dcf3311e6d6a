// Issue #15's figures in one run: `procmon ps` with all columns and 1,000 extra processes, (1) in
// process (the CLI's listProcesses + formatPs, no startup) against psutil's process_iter with the
// same fields, and (2) as whole commands against `ps aux`, with Node's startup subtracted. Printed
// as markdown and written to tools/bench/results/ps.md.
// Usage: node --expose-gc src/ps.bench.mjs [--quick]
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { listProcesses } from '@procmon/cli/dist/ps-command.js';
import { formatPs } from '@procmon/cli/dist/ps-format.js';
import { ProcFS } from '@procmon/procfs';
import { readBenchArgs } from './bench-args.mjs';
import { environmentLine, fasterBy, formatTable } from './harness.mjs';
import { measureInterleaved } from './interleaved.mjs';
import { timeFromSamples } from './io-harness.mjs';
import { childrenOf, startCrowd, stopCrowd } from './process-children.mjs';
import { PYTHON, psutilProblem } from './processes.mjs';
import {
  COMMANDS,
  commandsTable,
  crowdLines,
  loadAverage,
  PROCMON,
  runCommand,
  timeCommands,
} from './ps-commands.mjs';
import { coldListings, psFloor } from './ps-rows.mjs';

const CROWD = 1000;
const PSUTIL_TARGET = 2;
const COMMAND_TARGET = 1.5;
const { quick, plan } = readBenchArgs([]);
// The issue asks for medians of at least 15 runs; --quick is for trying the bench, not figures.
const COMMAND_RUNS = quick ? 5 : 21;
const COLD_RUNS = quick ? 3 : 5;
const results = fileURLToPath(new URL('../results/ps.md', import.meta.url));
const here = (name) => fileURLToPath(new URL(name, import.meta.url));

const lines = [];
const missed = [];
const problems = [];
const say = (text = '') => {
  lines.push(text);
  console.log(text);
};
const ms = (ns) => (ns / 1e6).toFixed(1);

/** What `procmon ps` does minus Node's startup and the write: list, then draw every column. */
async function listAndFormat() {
  return formatPs(await listProcesses(), undefined);
}

/** ps-psutil.py timed in one python3 for `minMs` and `minSamples`: { version, view, samples }. */
function runPsutil(crowdPid, minMs, minSamples) {
  const run = spawnSync(
    PYTHON,
    [here('ps-psutil.py'), String(crowdPid), String(minMs), String(minSamples)],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`ps-psutil.py failed:\n${run.stderr}`);
  const result = JSON.parse(run.stdout);
  return {
    version: result.psutil,
    view: result.view,
    first: result.first,
    samples: result.samples,
  };
}

/** The uids of the listing, as `getent passwd` is asked for them once per `procmon ps`. */
function getentOnce(uids) {
  const t0 = process.hrtime.bigint();
  spawnSync('getent', ['passwd', ...uids.map(String)], { stdio: ['ignore', 'pipe', 'ignore'] });
  return Number(process.hrtime.bigint() - t0);
}

// ---------------------------------------------------------------------------------------------
// 1. In process.

/** Every implementation must see the crowd with its arguments before anything is timed. */
async function inProcessProblems(crowd, psutilSkipped) {
  const found = [];
  const report = await listProcesses();
  const kids = report.lines.filter((line) => line.ppid === crowd.pid);
  const good = kids.filter(
    (line) => line.comm === 'sleep' && line.args?.[0] === 'sleep' && line.args?.[1] === '600',
  );
  if (good.length !== CROWD)
    found.push(`ours: ${good.length} of ${kids.length} crowd children listed as \`sleep 600 …\``);
  const text = formatPs(report, undefined);
  if (crowdLines(text, crowd.pids) !== CROWD)
    found.push(`ours: formatPs drew ${crowdLines(text, crowd.pids)} crowd lines, not ${CROWD}`);
  let view = null;
  if (!psutilSkipped) {
    view = runPsutil(crowd.pid, 0, 1).view;
    if (view.children !== CROWD || view.sample?.cmdline?.[1] !== '600')
      found.push(`psutil: ${JSON.stringify(view)}`);
  }
  return { found, report, view };
}

async function inProcessCase(crowd, psutilSkipped) {
  const title = `1. In process: \`procmon ps\` minus startup and the write (\`formatPs(await listProcesses(), undefined)\`, every column), ${CROWD.toLocaleString('en-US')} extra processes`;
  const { found, report, view } = await inProcessProblems(crowd, psutilSkipped);
  if (found.length > 0) return { title, found };
  const impls = [
    {
      name: 'ours: `formatPs(await listProcesses(), undefined)` (user names cached after the first call)',
      isAsync: true,
      run: async () => (await listAndFormat()).length,
    },
    {
      name: 'ours: `await listProcesses()` alone (no drawing)',
      note: 'info: the part formatPs is not',
      isAsync: true,
      run: async () => (await listProcesses()).lines.length,
    },
  ];
  impls.push({
    name: 'ours cold: the same call once in a fresh `node ps-cold.mjs` (modules loaded untimed; cold JIT, one `getent passwd`)',
    note: `info: what one \`procmon ps\` run pays for the listing (median of ${COLD_RUNS} fresh processes per round)`,
    external: true,
    time: async () => timeFromSamples(coldListings(COLD_RUNS)),
  });
  impls.push({
    name: "floor: `readdirSync('/proc')`, then per pid bare reads of stat, cmdline, status, statm, cgroup + `readlinkSync` of exe, no parsing",
    note: 'info: the I/O any implementation of these columns does',
    run: psFloor,
  });
  let version = null;
  let psutilFirst = null;
  if (!psutilSkipped) {
    const once = runPsutil(crowd.pid, 0, 1);
    version = once.version;
    psutilFirst = once.first;
    impls.push({
      name: `psutil ${version} \`process_iter([username, pid, ppid, cpu_times, create_time, memory_percent, memory_info, status, nice, num_threads, terminal, cmdline, exe, name])\`, every info read, %CPU computed as ps does (in one python3)`,
      target: fasterBy(PSUTIL_TARGET),
      psutil: true,
      external: true,
      time: async () => timeFromSamples(runPsutil(crowd.pid, plan.minMs, 12).samples),
    });
  }
  // No bytes/op: a listing allocates more than the young generation holds, so a GC runs in
  // every window and heap growth cannot tell its allocation (bytesPerCall gives null).
  const rows = await measureInterleaved(impls, plan);
  const uids = [
    ...new Set(report.lines.flatMap((line) => (line.uid === undefined ? [] : [line.uid]))),
  ];
  const getent = [];
  for (let i = 0; i < 15; i++) getent.push(getentOnce(uids));
  const getentNs = timeFromSamples(getent).median;
  const extra = [
    '',
    `${report.lines.length.toLocaleString('en-US')} processes listed by ours when checked${view ? `, ${view.total.toLocaleString('en-US')} by psutil` : ''}; both saw all ${CROWD.toLocaleString('en-US')} extra sleeps with their arguments. Ours also reads each process's cgroup (CONTAINER) and draws the table; psutil's row draws nothing.`,
    `A \`procmon ps\` run asks \`getent passwd\` once for the ${uids.length} uid(s) (cached afterwards in one process, as in the rows above): ${ms(getentNs)} ms (median of 15 spawns).`,
  ];
  const py = rows.find((row) => row.psutil);
  const floorNs = rows.find((row) => row.run === psFloor).time.median;
  if (py) {
    const once = rows[0].time.median + getentNs;
    extra.push(
      `the floor alone is ${(py.time.median / floorNs).toFixed(2)}x as fast as psutil's row: ours, doing these reads and more, cannot get further ahead of psutil than that on this machine now${py.time.median / floorNs < PSUTIL_TARGET ? `, short of the ≥${PSUTIL_TARGET}x target` : ''}.`,
      `psutil's first call in a fresh python3 (imports untimed, its Process objects not made yet): ${ms(psutilFirst)} ms.`,
      `with that one getent: ours ${ms(once)} ms, ${(py.time.median / once).toFixed(2)}x as fast as psutil (target ≥${PSUTIL_TARGET}x: ${py.time.median / once >= PSUTIL_TARGET ? 'met' : 'MISSED'}).`,
    );
  }
  return { title, rows, extra };
}

// ---------------------------------------------------------------------------------------------
// 2. Whole commands.

function commandProblems(crowd) {
  const found = [];
  for (const key of ['psAux', 'procmonPs']) {
    const command = COMMANDS.find((c) => c.key === key);
    const seen = crowdLines(runCommand(command.argv).stdout.toString('utf8'), crowd.pids);
    if (seen !== CROWD) found.push(`${command.name} showed ${seen} crowd lines, not ${CROWD}`);
  }
  return found;
}

function commandsCase(crowd) {
  const title = `2. Whole commands, output to a pipe that is drained, ${CROWD.toLocaleString('en-US')} extra processes (median of ${COMMAND_RUNS} runs each, the commands taking turns run by run)`;
  const found = commandProblems(crowd);
  if (found.length > 0) return { title, found };
  const times = timeCommands(COMMAND_RUNS);
  const figures = commandsTable(title, times, COMMAND_TARGET);
  missed.push(...figures.missed);
  return { title, table: figures.lines };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  say('## `procmon ps`: issue #15 figures');
  say();
  say(environmentLine());
  say(`load average at the start (1, 5, 15 min): ${loadAverage()}`);
  // listProcesses makes its own ProcFS: the same default backend as this one.
  say(`procfs backend of listProcesses (the default): \`${new ProcFS().backend.name}\``);
  const psutilSkipped = psutilProblem();
  if (psutilSkipped) problems.push(`psutil: ${psutilSkipped}`);
  say(
    `Targets: in process ≥${PSUTIL_TARGET}x faster than psutil's process_iter with the same fields; the whole \`procmon ps\`, minus Node's startup, within ${COMMAND_TARGET}x of \`ps aux\`. In process: ns/op is the median of mitata samples (each call awaited), best of ${plan.rounds} interleaved round(s) of about ${plan.minMs} ms per row; psutil times itself per call with perf_counter_ns inside python3 (${PYTHON}), after 2 warm-up calls, interpreter startup not counted. Whole commands: wall time of spawnSync from this process, output collected through a pipe.${quick ? ' --quick: too few runs for figures.' : ''}`,
  );
  const t0 = Date.now();
  const crowd = await startCrowd(CROWD);
  say(
    `${CROWD.toLocaleString('en-US')} extra processes: \`sh\` (pid ${crowd.pid}) started ${CROWD.toLocaleString('en-US')} \`sleep 600 <i> 0.5\` in ${Date.now() - t0} ms; all killed when the run ends.`,
  );
  say();
  try {
    const inProcess = await inProcessCase(crowd, psutilSkipped);
    if (inProcess.found) {
      problems.push(...inProcess.found);
      say(`### ${inProcess.title}\n\nSKIPPED: ${inProcess.found.join('; ')}\n`);
    } else {
      const table = formatTable('in process', inProcess.title, inProcess.rows);
      missed.push(...table.missed);
      say([table.text, ...inProcess.extra, ''].join('\n'));
    }
    const commands = commandsCase(crowd);
    if (commands.found) {
      problems.push(...commands.found);
      say(`### ${commands.title}\n\nSKIPPED: ${commands.found.join('; ')}\n`);
    } else say(commands.table.join('\n'));
  } finally {
    stopCrowd(crowd);
    for (let i = 0; i < 100 && childrenOf(crowd.pid, 'sleep').length > 0; i++) await sleep(20);
  }
  say();
  say(`load average at the end (1, 5, 15 min): ${loadAverage()}`);
  if (missed.length > 0) say(`Speed targets missed:\n- ${missed.join('\n- ')}`);
  else if (problems.length === 0) say('All speed targets met.');
  if (problems.length > 0) {
    say(`\nProblems:\n- ${problems.join('\n- ')}`);
    process.exitCode = 1;
  }
  say(`(run took ${((Date.now() - started) / 1000).toFixed(1)} s; procmon: ${PROCMON})`);
  if (quick || problems.length > 0) {
    console.log(
      `not written to ${results}: only a full run without --quick or problems is recorded`,
    );
    return;
  }
  mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
  writeFileSync(results, `${lines.join('\n')}\n`);
  console.log(`written to ${results}`);
}

await main();
process.exit();
