// The whole-command side of the `procmon ps` benchmark: each command spawned with its output to a
// pipe this process drains (spawnSync collects it), the commands taking turns run by run so load
// from elsewhere on the shared machine hits every command alike, and the median per command.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

/** The built CLI, as `procmon` runs when installed (its bin). */
export const PROCMON = fileURLToPath(new URL('../../cli/dist/procmon.js', import.meta.url));

/** The commands timed, in the order they take turns; `key` names each in the derived figures. */
export const COMMANDS = [
  { key: 'psAux', name: '`ps aux`', argv: ['ps', 'aux'] },
  {
    key: 'procmonPs',
    name: '`procmon ps` (`node tools/cli/dist/procmon.js ps`)',
    argv: [process.execPath, PROCMON, 'ps'],
  },
  {
    key: 'nodeStartup',
    name: '`node -e 0` (Node startup alone)',
    argv: [process.execPath, '-e', '0'],
  },
  {
    key: 'procmonVersion',
    name: '`procmon --version` (Node startup + loading the CLI, no listing)',
    argv: [process.execPath, PROCMON, '--version'],
  },
];

/** One run of a command: its output (stdout) and wall time in nanoseconds; throws on failure. */
export function runCommand(argv) {
  const [program, ...args] = argv;
  const t0 = process.hrtime.bigint();
  const run = spawnSync(program, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
  const ns = Number(process.hrtime.bigint() - t0);
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`${argv.join(' ')} exited ${run.status}: ${run.stderr}`);
  return { stdout: run.stdout, ns };
}

/**
 * `runs` runs of every command, the commands taking turns (psAux, procmonPs, nodeStartup,
 * procmonVersion, psAux, ...), after one untimed warm-up run each (page cache, getent's NSS
 * files). Returns per command key: { median, min, max, runs } in nanoseconds.
 */
export function timeCommands(runs, commands = COMMANDS) {
  for (const command of commands) runCommand(command.argv);
  const samples = new Map(commands.map((command) => [command.key, []]));
  for (let i = 0; i < runs; i++) {
    for (const command of commands) samples.get(command.key).push(runCommand(command.argv).ns);
  }
  const times = {};
  for (const [key, list] of samples) {
    const sorted = [...list].sort((a, b) => a - b);
    times[key] = {
      median: sorted[sorted.length >> 1],
      min: sorted[0],
      max: sorted[sorted.length - 1],
      runs: sorted.length,
    };
  }
  return times;
}

const ms = (ns) => (ns / 1e6).toFixed(1);

/**
 * The whole-command table (times from timeCommands, one entry per COMMANDS key) and below it
 * `procmon ps` minus Node's startup, and minus `procmon --version`, over `ps aux`, each checked
 * against `target` (at most that many times ps aux). Returns { lines, missed }.
 */
export function commandsTable(title, times, target) {
  const lines = [
    `### ${title}`,
    '',
    '| command | ms (median) | min | max | runs |',
    '|---|--:|--:|--:|--:|',
    ...COMMANDS.map((c) => {
      const t = times[c.key];
      return `| ${c.name} | ${ms(t.median)} | ${ms(t.min)} | ${ms(t.max)} | ${t.runs} |`;
    }),
    '',
  ];
  const missed = [];
  const psAux = times.psAux.median;
  const startups = [
    ['Node startup (`node -e 0`)', times.nodeStartup.median],
    ['`procmon --version` (Node startup + loading the CLI)', times.procmonVersion.median],
  ];
  for (const [what, startup] of startups) {
    const net = times.procmonPs.median - startup;
    const ratio = net / psAux;
    const met = ratio <= target;
    if (!met)
      missed.push(`procmon ps minus ${what}: ${ratio.toFixed(2)}x ps aux, target ≤${target}x`);
    lines.push(
      `- \`procmon ps\` minus ${what}: ${ms(net)} ms = **${ratio.toFixed(2)}x** \`ps aux\` (${ms(psAux)} ms); target ≤${target}x: ${met ? 'met' : '**MISSED**'}`,
    );
  }
  return { lines, missed };
}

/** The load average as `uptime` prints it (1, 5 and 15 minutes). */
export const loadAverage = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(', ');

/**
 * Lines of `ps aux` / `procmon ps` output (PID second in both) that show one of the crowd's
 * `sleep 600 <i> 0.5`, by pid: another bench on the machine may run a crowd of its own.
 */
export function crowdLines(text, pids) {
  const wanted = new Set(pids.map(String));
  let n = 0;
  for (const line of text.split('\n')) {
    if (wanted.has(line.trim().split(/\s+/)[1]) && / sleep 600 \d+ 0\.5$/.test(line)) n++;
  }
  return n;
}
