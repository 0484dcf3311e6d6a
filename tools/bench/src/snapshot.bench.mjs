// Issue #16's snapshot figures in one run, with 1,000 extra processes: the time to take a snapshot
// of the whole machine against `procmon ps` on the same machine, in the same run, as ratios,
// (1) in process (captureSnapshot against the CLI's listProcesses, no startup) and (2) as whole
// commands (`procmon snapshot -o FILE` against `procmon ps`), each plain, with --env, with
// --checksums and with both; and (3) the size on disk of each (bytes, bytes per process).
// The runs take turns (every variant, then ps, then again) so load from elsewhere on the shared
// machine hits each alike. Printed as markdown and written to tools/bench/results/snapshot.md.
// Usage: node --expose-gc src/snapshot.bench.mjs [--quick]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { listProcesses } from '@procmon/cli/dist/ps-command.js';
import { ProcFS } from '@procmon/procfs';
import { captureSnapshot, readSnapshot } from '@procmon/snapshot';
import { readBenchArgs } from './bench-args.mjs';
import { environmentLine } from './harness.mjs';
import { childrenOf, startCrowd, stopCrowd } from './process-children.mjs';
import { loadAverage, PROCMON } from './ps-commands.mjs';

const CROWD = 1000;
const { quick } = readBenchArgs([]);
const RUNS = quick ? 2 : 7;
const results = fileURLToPath(new URL('../results/snapshot.md', import.meta.url));
const scratch = join(tmpdir(), `procmon-snapshot-bench-${process.pid}`);

/** The snapshot variants: the library's options and the command's flags. */
const VARIANTS = [
  { name: 'plain', options: {}, flags: [] },
  { name: '--env', options: { env: true }, flags: ['--env'] },
  { name: '--checksums', options: { checksums: ['sha256'] }, flags: ['--checksums'] },
  {
    name: '--env --checksums',
    options: { env: true, checksums: ['sha256'] },
    flags: ['--env', '--checksums'],
  },
];

const lines = [];
const say = (text = '') => {
  lines.push(text);
  console.log(text);
};
const ms = (ns) => (ns / 1e6).toFixed(0);
const int = (n) => Math.round(n).toLocaleString('en-US');

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[sorted.length >> 1], min: sorted[0], max: sorted.at(-1), all: samples };
}

async function timed(run) {
  const t0 = process.hrtime.bigint();
  const value = await run();
  return { ns: Number(process.hrtime.bigint() - t0), value };
}

function command(argv) {
  const t0 = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [PROCMON, ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
  const ns = Number(process.hrtime.bigint() - t0);
  if (run.error) throw run.error;
  if (run.status !== 0)
    throw new Error(`procmon ${argv.join(' ')} exited ${run.status}: ${run.stderr}`);
  return ns;
}

/** The crowd must be in every snapshot, whole: else the figures are of something else. */
async function checkCrowd(bytes, crowd, what) {
  const snapshot = await readSnapshot(bytes);
  const captured = new Set(snapshot.manifest.pids);
  const seen = crowd.pids.filter((pid) => captured.has(pid)).length;
  if (seen !== CROWD) throw new Error(`${what}: ${seen} of the ${CROWD} extra processes captured`);
  if (snapshot.checksums) {
    const hashed = snapshot.checksums.processes.filter((p) => p.checksums !== undefined).length;
    return { processes: snapshot.manifest.pids.length, hashed };
  }
  return { processes: snapshot.manifest.pids.length, hashed: undefined };
}

async function inProcess(crowd) {
  const samples = new Map([...VARIANTS.map((v) => [v.name, []]), ['ps', []]]);
  const procfs = new ProcFS();
  // One untimed warm-up of each (JIT, page cache), checked to hold the crowd; then the runs.
  await listProcesses();
  for (const variant of VARIANTS)
    await checkCrowd(await captureSnapshot({ procfs, ...variant.options }), crowd, variant.name);
  for (let i = 0; i < RUNS; i++) {
    for (const variant of VARIANTS) {
      samples
        .get(variant.name)
        .push((await timed(() => captureSnapshot({ procfs, ...variant.options }))).ns);
    }
    samples.get('ps').push((await timed(() => listProcesses())).ns);
  }
  return { samples };
}

async function commands(crowd) {
  mkdirSync(scratch, { recursive: true });
  const samples = new Map([...VARIANTS.map((v) => [v.name, []]), ['ps', []]]);
  const sizes = new Map();
  const file = (variant) => join(scratch, `${variant.name.replaceAll(/[- ]+/g, '_')}.tar.gz`);
  const snap = (variant) => {
    rmSync(file(variant), { force: true });
    return command(['snapshot', '-o', file(variant), ...variant.flags]);
  };
  command(['ps']);
  for (const variant of VARIANTS) snap(variant);
  for (let i = 0; i < RUNS; i++) {
    for (const variant of VARIANTS) samples.get(variant.name).push(snap(variant));
    samples.get('ps').push(command(['ps']));
  }
  // The size of the last run's file, and what it holds (the crowd, whole, checked again).
  for (const variant of VARIANTS) {
    const bytes = readFileSync(file(variant));
    sizes.set(variant.name, {
      bytes: bytes.length,
      ...(await checkCrowd(bytes, crowd, variant.name)),
    });
  }
  return { samples, sizes };
}

function timeTable(title, samples, psName) {
  const ps = stats(samples.get('ps'));
  const rows = [
    `### ${title}`,
    '',
    `| what | ms (median) | min | max | × ${psName} | every run (ms) |`,
    '|---|--:|--:|--:|--:|---|',
    `| ${psName} | ${ms(ps.median)} | ${ms(ps.min)} | ${ms(ps.max)} | 1.00 | ${ps.all.map(ms).join(' ')} |`,
  ];
  for (const variant of VARIANTS) {
    const t = stats(samples.get(variant.name));
    rows.push(
      `| snapshot ${variant.name} | ${ms(t.median)} | ${ms(t.min)} | ${ms(t.max)} | **${(t.median / ps.median).toFixed(2)}** | ${t.all.map(ms).join(' ')} |`,
    );
  }
  return rows;
}

async function main() {
  const started = Date.now();
  say('## `procmon snapshot`: issue #16 figures');
  say();
  say(
    '`pnpm -F @procmon/bench bench:snapshot` (node --expose-gc src/snapshot.bench.mjs), after `pnpm build`',
  );
  say();
  say(environmentLine());
  say(`load average at the start (1, 5, 15 min): ${loadAverage()}`);
  say(`procfs backend (the default): \`${new ProcFS().backend.name}\``);
  const t0 = Date.now();
  const crowd = await startCrowd(CROWD);
  say(
    `${int(CROWD)} extra processes: \`sh\` (pid ${crowd.pid}) started ${int(CROWD)} \`sleep 600 <i> 0.5\` in ${Date.now() - t0} ms; all killed when the run ends. Each snapshot was checked to hold all of them. ${RUNS} timed runs of each, taking turns, after one untimed warm-up each.${quick ? ' --quick: too few runs for figures.' : ''}`,
  );
  say();
  try {
    const library = await inProcess(crowd);
    say(
      timeTable(
        "1. In process: `captureSnapshot(options)` (the archive's bytes in memory) against `await listProcesses()` (`procmon ps`'s listing, no drawing)",
        library.samples,
        '`listProcesses()`',
      ).join('\n'),
    );
    say();
    const whole = await commands(crowd);
    say(
      timeTable(
        '2. Whole commands: `procmon snapshot -o FILE [flags]` (written to a file in /tmp) against `procmon ps` (output to a drained pipe)',
        whole.samples,
        '`procmon ps`',
      ).join('\n'),
    );
    say();
    say('### 3. Size on disk (the .tar.gz `procmon snapshot -o` wrote in its last run)');
    say();
    say('| variant | processes | bytes | bytes per process | binaries hashed |');
    say('|---|--:|--:|--:|--:|');
    for (const variant of VARIANTS) {
      const { bytes, processes, hashed } = whole.sizes.get(variant.name);
      say(
        `| ${variant.name} | ${int(processes)} | ${int(bytes)} | ${int(bytes / processes)} | ${hashed === undefined ? '—' : int(hashed)} |`,
      );
    }
    say();
    say(
      "Processes besides the crowd come and go (other engineers' test suites run on this machine), so the count differs a little between variants. A binary is not hashed when no source of @procmon/hash can read it (kernel threads; processes of another user namespace, whose exe link is EACCES here).",
    );
  } finally {
    stopCrowd(crowd);
    rmSync(scratch, { recursive: true, force: true });
    for (let i = 0; i < 100 && childrenOf(crowd.pid, 'sleep').length > 0; i++) await sleep(20);
  }
  say();
  say(`load average at the end (1, 5, 15 min): ${loadAverage()}`);
  say(`(run took ${((Date.now() - started) / 1000).toFixed(1)} s; procmon: ${PROCMON})`);
  if (quick) {
    console.log(`not written to ${results}: only a full run without --quick is recorded`);
    return;
  }
  mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
  writeFileSync(results, `${lines.join('\n')}\n`);
  console.log(`written to ${results}`);
}

await main();
process.exit();
