// Case 1 of the connection benchmark: every TCP and UDP socket of the machine with the processes
// holding it, as procmon's `connections()`, procmon's pieces joined by hand, `ss`, `lsof`,
// `netstat` and psutil give it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { timeFromSamples } from './io-harness.mjs';
import { measureRows, slowOptions } from './native-rows.mjs';
import { HELD_SOCKETS } from './net-load.mjs';
import { handJoined, procmonApi } from './net-procmon.mjs';
import { faster } from './net-table.mjs';
import { PYTHON } from './processes.mjs';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));

/** psutil.net_connections('all') timed in one python3 (net-psutil.py). */
export function runNetPsutil(holderPid, minMs, minSamples) {
  const run = spawnSync(
    PYTHON,
    [here('net-psutil.py'), String(holderPid), String(minMs), String(minSamples)],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`net-psutil.py failed:\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** A command timed whole (spawnSync, output discarded), or a row saying why it cannot run. */
function commandRow(key, command, args, name) {
  const probe = spawnSync(command, args, { stdio: 'ignore' });
  if (probe.error) return { key, name, why: `${command} cannot run (${probe.error.code})` };
  if (probe.status !== 0) return { key, name, why: `${command} exited with ${probe.status}` };
  return { key, name, run: () => spawnSync(command, args, { stdio: 'ignore' }).status };
}

/** How many lines of a tool's output name the holder's pid (`pid=N,` for ss). */
function linesNaming(command, args, needle) {
  const run = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) return -1;
  return run.stdout.split('\n').filter((line) => line.includes(needle)).length;
}

const heldBy = (list, pid) => list.filter((c) => c.holders.some((h) => h.pid === pid)).length;

/**
 * The case: { name, title, rows, refs, targets, extra }, or { name, title, problems } when an
 * alternative does not see the load (its figure would not be the same work).
 */
export async function machineCase({ backends, resolver, load, plan, psutilSkipped }) {
  const name = 'whole machine';
  const pid = load.holder.pid;
  const title = `1. Every TCP and UDP socket of the machine with its holders (${HELD_SOCKETS.toLocaleString('en-US')} held by one process, ${load.crowd.pids.length} extra processes)`;
  const api = procmonApi();
  const problems = [];
  const ssHeld = linesNaming('ss', ['-tunap'], `pid=${pid},`);
  if (ssHeld !== HELD_SOCKETS) problems.push(`ss -tunap shows ${ssHeld} sockets of the holder`);
  const usable = backends.filter((b) => b.procfs);
  for (const b of usable) {
    const got = heldBy(handJoined(b.procfs, resolver), pid);
    if (got !== HELD_SOCKETS) problems.push(`hand-joined (${b.label}) found ${got} held sockets`);
  }
  let psutil;
  if (!psutilSkipped) {
    psutil = runNetPsutil(pid, 0, 1);
    // 'all' includes unix sockets: the holder's stdin, stdout and stderr are socket pairs (spawn).
    if (psutil.held !== HELD_SOCKETS + 3)
      problems.push(`psutil net_connections('all') gave the holder ${psutil.held} sockets`);
  }
  if (problems.length > 0) return { name, title, problems };

  const entries = [];
  for (const b of backends) {
    for (const [style, call] of [
      ['sync', api.connections],
      ['async', api.connectionsAsync],
    ]) {
      const key = `procmon-${b.key}${style === 'async' ? '-async' : ''}`;
      const rowName = `procmon \`${style === 'async' ? 'await connectionsAsync' : 'connections'}({ tables: ['tcp', 'udp'] })\`, ${b.label} procfs backend`;
      if (!b.procfs) entries.push({ key, name: rowName, why: b.why });
      else if (call.why) entries.push({ key, name: rowName, why: call.why });
      else {
        const got = heldBy(await call.call(b.procfs, resolver), pid);
        if (got !== HELD_SOCKETS)
          entries.push({ key, name: rowName, why: `wrong answer: ${got} held sockets found` });
        else if (style === 'async')
          entries.push({
            key,
            name: rowName,
            isAsync: true,
            run: async () => (await call.call(b.procfs, resolver)).length,
          });
        else entries.push({ key, name: rowName, run: () => call.call(b.procfs, resolver).length });
      }
    }
  }
  for (const b of backends) {
    const key = `hand-${b.key}`;
    const rowName = `procmon pieces joined by hand: netsock \`list()\` + \`listFds\` of every pid, ${b.label}`;
    if (!b.procfs) entries.push({ key, name: rowName, why: b.why });
    else entries.push({ key, name: rowName, run: () => handJoined(b.procfs, resolver).length });
  }
  entries.push(
    commandRow('ss', 'ss', ['-tunap'], '`ss -tunap` (whole command, output discarded)'),
    commandRow('ssx', 'ss', ['-tunapx'], '`ss -tunapx` (unix sockets too)'),
    commandRow('lsof', 'lsof', ['-i', '-n', '-P'], '`lsof -i -n -P` (whole command)'),
    commandRow('netstat', 'netstat', ['-tunapl'], '`netstat -tunapl` (whole command)'),
  );
  if (psutilSkipped) entries.push({ key: 'psutil', name: 'psutil', why: psutilSkipped });
  else
    entries.push({
      key: 'psutil',
      name: `psutil ${psutil.psutil} \`net_connections('all')\` (timed inside one python3)`,
      note: 'unix sockets too',
      external: true,
      time: async () => timeFromSamples(runNetPsutil(pid, plan.minMs, 5).samples),
    });
  const rows = await measureRows(entries, plan, slowOptions(plan));
  const main = usable[0] ? `procmon-${usable[0].key}` : 'procmon-node';
  const hand = usable[0] ? `hand-${usable[0].key}` : 'hand-node';
  const targets = [
    faster(2.5, '`connections()` ≥2.5x faster than `ss -tunap`', main, 'ss'),
    faster(3, "`connections()` ≥3x faster than psutil `net_connections('all')`", main, 'psutil'),
    faster(5, '`connections()` ≥5x faster than `lsof -i -n -P`', main, 'lsof'),
  ];
  return {
    name,
    title,
    rows,
    refs: [
      { key: main, label: `\`connections()\` (${main.slice(8)})` },
      { key: hand, label: `hand-joined (${hand.slice(5)})` },
    ],
    targets,
    extra: [
      '',
      '`ss`, `lsof` and `netstat` are timed per whole command (process start included: what a user waits for); psutil inside its own python3 (interpreter start not counted); procmon in this process.',
    ],
  };
}
