// Issue #14's figures in one run: a fork storm on every core (native/forkstorm.c) with procmon's
// listener (@procmon/events through the proc connector, in a child node process) and forkstat
// listening at once. Per listener: events delivered and per second, the storm's forks and exits
// it saw against the storm's own list of children, its loss reports, its CPU time per 1,000
// events, and (procmon) the delay from the kernel's timestamp to delivery. Also the storm alone:
// the machine's fork rate with no listener. Printed as markdown and written to
// tools/bench/results/events.md on a full run.
// Usage: node src/events.bench.mjs [--quick]
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { readBenchArgs } from './bench-args.mjs';
import {
  execTable,
  forkstatPids,
  lessBy,
  listenerFigures,
  listenersTable,
  stormTable,
} from './events-figures.mjs';
import { readCpuTime, startForkstat } from './forkstat.mjs';
import { compileForkstorm, runForkstorm, startForkstorm } from './forkstorm.mjs';
import { environmentLine } from './harness.mjs';
import { loadAverage } from './ps-commands.mjs';
import { RecordedReport, recordResults } from './report.mjs';

const { quick } = readBenchArgs([]);
const SECONDS = quick ? 1 : 4;
// Time given to both listeners to read what is still queued after the storm ends.
const SETTLE_MS = 1000;
// The receive buffer forkstat gets (it sets none: the system's default), for a procmon row on
// equal terms; procmon's own default is 4 MiB.
const RMEM_DEFAULT = Number(readFileSync('/proc/sys/net/core/rmem_default', 'utf8'));
const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const eventsDist = fileURLToPath(
  new URL('../../../packages/events/dist/index.js', import.meta.url),
);
const netlinkDist = fileURLToPath(
  new URL('../../../packages/netsock/dist/netlink.js', import.meta.url),
);
const results = new URL('../results/events.md', import.meta.url);
const report = new RecordedReport();
const say = (text) => report.say(text);

/** A listener child (`script` with `args`): { ready: {pid, source} | {error}, stop() → summary }. */
async function startListener(script, ...args) {
  const child = spawn(process.execPath, [here(script), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const queue = [];
  let waiting;
  lines.on('line', (line) => {
    if (waiting) {
      waiting(line);
      waiting = undefined;
    } else queue.push(line);
  });
  const nextLine = () =>
    new Promise((resolve, reject) => {
      if (queue.length > 0) resolve(queue.shift());
      else {
        waiting = resolve;
        child.once('exit', (code) => reject(new Error(`the listener exited (${code})`)));
      }
    });
  const ready = JSON.parse(await nextLine());
  return {
    ready,
    async stop() {
      child.stdin.write('stop\n');
      return JSON.parse(await nextLine());
    },
    kill: () => child.kill('SIGKILL'),
  };
}

function stormAlone() {
  const bare = runForkstorm(binary, { seconds: SECONDS });
  const withPids = runForkstorm(binary, { seconds: SECONDS, pids: true });
  return [
    { name: "alone (the machine's fork rate: fork, child _exit(0), waitpid)", ...bare },
    { name: "alone, printing each child's pid (as in the run with listeners)", ...withPids },
  ];
}

async function listenersRun() {
  const forkstat = startForkstat({ events: 'fork,exec,exit' });
  await forkstat.ready;
  const started = [];
  try {
    const listener = await startListener('events-listener.mjs', eventsDist);
    started.push(listener);
    if (listener.ready.error) report.problem(`procmon: ${listener.ready.error}`);
    // The same with forkstat's receive buffer (it keeps the system default, rmem_default).
    const smallBuffer = await startListener(
      'events-listener.mjs',
      eventsDist,
      '--buffer',
      String(RMEM_DEFAULT),
    );
    started.push(smallBuffer);
    if (smallBuffer.ready.error)
      report.problem(`procmon (small buffer): ${smallBuffer.ready.error}`);
    const floor = await startListener('events-multicast-listener.mjs', netlinkDist);
    started.push(floor);
    if (floor.ready.error) report.problem(`multicast floor: ${floor.ready.error}`);
    const forkstatCpu0 = readCpuTime(forkstat.pid);
    const storm = await startForkstorm(binary, { seconds: SECONDS, pids: true }).done;
    await sleep(SETTLE_MS);
    const forkstatCpu1 = readCpuTime(forkstat.pid);
    const forkstatCpuMs = forkstatCpu1.totalMs - forkstatCpu0.totalMs;
    const forkstatSplitMs = {
      user: forkstatCpu1.userMs - forkstatCpu0.userMs,
      system: forkstatCpu1.systemMs - forkstatCpu0.systemMs,
    };
    const procmon = listener.ready.error ? undefined : await listener.stop();
    const procmonSmall = smallBuffer.ready.error ? undefined : await smallBuffer.stop();
    const multicast = floor.ready.error ? undefined : await floor.stop();
    const forkstatOutput = await forkstat.stop();
    const source = listener.ready.source;
    return {
      ...{ storm, procmon, procmonSmall, multicast, source },
      ...{ forkstatOutput, forkstatCpuMs, forkstatSplitMs },
    };
  } finally {
    for (const child of started) child.kill();
    await forkstat.stop();
  }
}

/**
 * Case 2: a storm whose children exec /bin/true, procmon enriching every exec (reading its
 * details at once) beside forkstat, which reads each new program's cmdline too.
 */
async function execRun() {
  const forkstat = startForkstat({ events: 'fork,exec,exit' });
  await forkstat.ready;
  const started = [];
  try {
    const listener = await startListener('events-listener.mjs', eventsDist, '--enrich');
    started.push(listener);
    if (listener.ready.error) throw new Error(`procmon (enrich): ${listener.ready.error}`);
    const forkstatCpu0 = readCpuTime(forkstat.pid).totalMs;
    const storm = await startForkstorm(binary, { seconds: SECONDS, pids: true, exec: true }).done;
    await sleep(SETTLE_MS);
    const forkstatCpuMs = readCpuTime(forkstat.pid).totalMs - forkstatCpu0;
    const procmon = await listener.stop();
    const forkstatOutput = await forkstat.stop();
    return { storm, procmon, forkstatOutput, forkstatCpuMs };
  } finally {
    for (const child of started) child.kill();
    await forkstat.stop();
  }
}

/** What enrichment read of the storm's execs: { complete, partial, none }. */
function stormDetails(summary, storm) {
  const ours = new Set(storm.childPids);
  const read = { complete: 0, partial: 0, none: 0 };
  summary.execPids.forEach((pid, i) => {
    if (ours.has(pid)) read[summary.execDetails[i]]++;
  });
  return read;
}

function execRows({ storm, procmon, forkstatOutput, forkstatCpuMs }) {
  const procmonRow = nodeRow(
    'procmon (`openProcessEvents({ enrich: true })`, connector, emitter)',
    procmon,
    storm,
    procmonLosses(procmon),
    { execs: true },
  );
  procmonRow.details = stormDetails(procmon, storm);
  const seen = forkstatPids(forkstatOutput.events);
  return [
    procmonRow,
    {
      name: "forkstat 0.03 (`forkstat -l -e fork,exec,exit -S`; reads each exec's cmdline)",
      figures: listenerFigures(seen, storm, forkstatCpuMs, { execs: true }),
      lossReports: `${forkstatOutput.nobufs} nobufs line(s) (ENOBUFS; no count)`,
      delay: undefined,
      details: undefined,
    },
  ];
}

/** A node listener's row from its summary. */
function nodeRow(name, summary, storm, lossReports, options) {
  const { counts } = summary;
  const total = counts.fork + counts.exec + counts.exit + counts.other;
  return {
    name,
    figures: listenerFigures({ ...summary, total }, storm, summary.cpuMs, options),
    lossReports,
    delay: summary.delayNs,
  };
}

/** procmon's loss reports: its lost events by reason, their counts, and its resyncs. */
function procmonLosses({ lost, counts }) {
  return `${counts.lost} lost (${lost.overrun} overrun, ${lost['sequence-gap']} sequence-gap, ${lost['queue-full']} queue-full; ${lost.counted.toLocaleString('en-US')} events counted), ${counts.resync} resync`;
}

function listenerRows({ storm, procmon, procmonSmall, multicast, forkstatOutput, forkstatCpuMs }) {
  const rows = [];
  if (procmon) {
    const reports = procmonLosses(procmon);
    rows.push(
      nodeRow('procmon (`openProcessEvents`, connector, emitter)', procmon, storm, reports),
    );
  }
  if (procmonSmall) {
    const name = `procmon, forkstat's receive buffer (\`receiveBufferBytes: ${RMEM_DEFAULT.toLocaleString('en-US')}\`)`;
    rows.push(nodeRow(name, procmonSmall, storm, procmonLosses(procmonSmall)));
  }
  if (multicast) {
    const { lost } = multicast;
    const reports = `${lost.overrun} overrun, ${lost.dropped} dropped (${lost.counted.toLocaleString('en-US')} datagrams)`;
    const name = 'floor: netsock `openMulticast` alone (fields read by hand, no events made)';
    rows.push(nodeRow(name, multicast, storm, reports));
  }
  const seen = forkstatPids(forkstatOutput.events);
  rows.push({
    name: 'forkstat 0.03 (`forkstat -l -e fork,exec,exit -S`)',
    figures: listenerFigures(seen, storm, forkstatCpuMs),
    lossReports: `${forkstatOutput.nobufs} nobufs line(s) (ENOBUFS; no count)`,
    delay: undefined,
  });
  return rows;
}

function problemsOf({ procmon, multicast, forkstatOutput }) {
  const found = [];
  if (procmon?.failure) found.push(`procmon listener failed: ${procmon.failure}`);
  if (multicast?.failure) found.push(`multicast floor failed: ${multicast.failure}`);
  if (forkstatOutput.unparsed.length > 0)
    found.push(
      `forkstat printed ${forkstatOutput.unparsed.length} line(s) not understood, first: ${forkstatOutput.unparsed[0]}`,
    );
  return found;
}

let binary;

async function main() {
  const started = Date.now();
  say('## Process events (`@procmon/events`): issue #14 figures');
  say('');
  say(environmentLine());
  say(`load average at the start (1, 5, 15 min): ${loadAverage()}`);
  const compiled = compileForkstorm();
  if (compiled.problem) {
    report.problem(compiled.problem);
    return finish(started);
  }
  binary = compiled.binary;
  if (!existsSync(eventsDist))
    report.problem(`${eventsDist} is missing: build @procmon/events first (pnpm build)`);
  say(
    `A fork storm of ${SECONDS} s (\`native/forkstorm.c\`, one worker per CPU, each: fork, the child \`_exit(0)\`, \`waitpid\`; it prints each child's pid) with four listeners on the proc connector at once: procmon's in a child \`node\` (\`src/events-listener.mjs\`: \`openProcessEvents({ source: 'connector' })\`, an \`'event'\` listener counting), twice: with its default receive buffer (4 MiB) and with forkstat's (the system's \`rmem_default\`); its floor, netsock's bare multicast reader in another \`node\` (\`src/events-multicast-listener.mjs\`: the fields counted read from each datagram by hand); and forkstat. CPU: \`process.cpuUsage\` from listening to stop in each node; forkstat's utime + stime from \`/proc/<pid>/stat\` (clock ticks). Each listener's storm forks and exits are matched by pid against the storm's list; all are stopped ${SETTLE_MS} ms after the storm ends.${quick ? ' --quick: a 1 s storm, too short for figures.' : ''}`,
  );
  say('');
  const alone = stormAlone();
  let run;
  try {
    run = await listenersRun();
  } catch (error) {
    // forkstat or a listener could not start (not root: the connector needs CAP_NET_ADMIN).
    report.problem(`the listeners could not run: ${error.message}`);
    for (const line of stormTable(alone)) say(line);
    say('');
    return finish(started);
  }
  report.problems.push(...problemsOf(run));
  // Alone once more after the listeners: other work on the machine moves the rate between
  // runs, and the two alone rows bracket the one with listeners.
  const after = runForkstorm(binary, { seconds: SECONDS, pids: true });
  say(`### 1. The storm: forks per second alone and under the listeners`);
  say('');
  for (const line of stormTable([
    ...alone,
    { name: 'with the four listeners listening', ...run.storm },
    { name: "alone again after, printing each child's pid", ...after },
  ]))
    say(line);
  say('');
  say(
    'The storm alone, printing pids, ran before and after the run with listeners: when those two differ as much as the rows with listeners do, the machine (other work on its two cores), not the listeners, set the rate.',
  );
  say('');
  say(
    `### 2. The listeners during the storm (${run.storm.forks.toLocaleString('en-US')} forks in ${run.storm.seconds.toFixed(2)} s: ${(2 * run.storm.forks).toLocaleString('en-US')} storm events, fork and exit)`,
  );
  say('');
  const rows = listenerRows(run);
  for (const line of listenersTable(rows, run.storm)) say(line);
  say('');
  if (run.procmon) {
    say(
      `procmon's source: ${run.source?.kind} (${run.source?.reason}). Events delivered: every fork, exec, exit and other kernel event of the machine in the window (the storm's and everyone else's); delay: \`process.hrtime.bigint()\` at delivery − \`event.timestampNs\` over ${run.procmon.delayNs.samples.toLocaleString('en-US')} events (max ${Math.round(run.procmon.delayNs.max / 1000).toLocaleString('en-US')} µs).`,
    );
    const ours = rows[0].figures.cpuMsPer1000;
    const forkstatFigures = rows.at(-1).figures;
    if (forkstatFigures.stormForks < run.storm.forks && run.forkstatOutput.nobufs === 0)
      say(
        `forkstat's ${run.storm.forks - forkstatFigures.stormForks} storm fork(s) missed without an ENOBUFS: it tells a fork from a new thread by reading /proc/<pid>/status after the event, and a child already exiting then reads as a thread, printed as a clone, which \`-e fork\` does not show (seen by running it with \`-e clone\` as well: the missing children appear as \`clone ... thread\`).`,
      );
    say(
      `CPU per 1,000 events: procmon ${lessBy(ours, rows.at(-1).figures.cpuMsPer1000)} than forkstat (forkstat reads each new process's /proc status and cmdline, and writes a line per event).`,
    );
    const split = (name, ms) =>
      ms ? `${name} ${Math.round(ms.user)} + ${Math.round(ms.system)}` : undefined;
    const splits = [
      split('procmon', run.procmon.cpuSplitMs),
      split('floor', run.multicast?.cpuSplitMs),
      split('forkstat', run.forkstatSplitMs),
    ].filter(Boolean);
    say(
      `CPU ms, user + system (a node listener's include its reader thread's recvmsg calls and the wake-ups of its event loop): ${splits.join('; ')}.`,
    );
    if (run.multicast)
      say(
        `procmon against its floor (the same native reader, nothing decoded or kept): ${lessBy(ours, rows.find((row) => row.name.startsWith('floor')).figures.cpuMsPer1000)} CPU per event, what decoding, events, the running picture and the emitter cost.`,
      );
  } else say('procmon: not measured (see Problems); forkstat and the storm ran alone.');
  say('');
  if (run.procmon) await execCase();
  return finish(started);
}

async function execCase() {
  let run;
  try {
    run = await execRun();
  } catch (error) {
    report.problem(`exec storm: ${error.message}`);
    return;
  }
  if (run.procmon.failure) report.problem(`procmon (enrich) failed: ${run.procmon.failure}`);
  say(
    `### 3. A storm whose children exec /bin/true (${run.storm.forks.toLocaleString('en-US')} in ${run.storm.seconds.toFixed(2)} s: ${(3 * run.storm.forks).toLocaleString('en-US')} storm events), procmon reading each program's details at exec`,
  );
  say('');
  for (const line of execTable(execRows(run), run.storm)) say(line);
  say('');
  say(
    "Details of the storm's execs: complete (path, args, cwd, stat, uids all read), partly gone (the program exited while they were read: a zombie keeps stat and status), none (gone before any read). /bin/true lives about a millisecond: a details read that comes after it has exited cannot succeed.",
  );
  say('');
}

function finish(started) {
  say(`load average at the end (1, 5, 15 min): ${loadAverage()}`);
  if (report.problems.length > 0) {
    say(`\nProblems:\n- ${report.problems.join('\n- ')}`);
    process.exitCode = 1;
  }
  say(`(run took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (report.problems.length > 0) console.log(`not written to ${results}: the run had problems`);
  else recordResults(results, report.lines, { quick, only: [] });
}

await main();
process.exit();
