// Questions 5 to 7 of the native bench: details() of one process, a scan of every process with
// 1,000 extra sleeping ones, and the descriptors of a process holding 5,000.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, scanProcesses } from '@procmon/process';
import { fileReadOptions, timeFromSamples } from './io-harness.mjs';
import { recordingProcFS } from './native-backends.mjs';
import { floorRow, runFloor } from './native-floor.mjs';
import {
  consumeDetails,
  consumeScan,
  eq,
  measureRows,
  perBackend,
  psutilRow,
  psutilVersion,
  SLOW_MIN_SAMPLES,
  slowOptions,
} from './native-rows.mjs';
import { faster, within } from './native-table.mjs';
import { childrenOf, runPsutilMode, startCrowd, stopCrowd } from './process-children.mjs';
import { runPsutil, startFdHolder, stop } from './processes.mjs';

const vsC = () => 'c';
const CROWD = 1000;
const FD_COUNT = 5000;

// ---------------------------------------------------------------------------------------------
// 5. details() of a live process.

/** The ops one details() call makes on a backend, as "read stat, readlink exe, ...". */
function detailsOps(pid, backend) {
  const recording = recordingProcFS(backend);
  const proc = Process.open(pid, { procfs: recording.procfs });
  recording.reset();
  proc.details();
  return recording.ops.join(', ');
}

export async function detailsCase(ctx, plan, psutilSkipped) {
  const { pid, backends, floor, expectedPairs } = ctx;
  const name = 'details';
  const title = `5. \`details()\` of a live process: path, args, comm, cwd, environ (${expectedPairs.length} variables), identity checked`;
  const expected = {
    path: '/usr/bin/sleep',
    args: ['sleep', '1000'],
    comm: 'sleep',
    cwd: process.cwd(),
    environ: expectedPairs.length,
  };
  const problems = [];
  const opened = new Map();
  for (const b of backends.filter((b) => b.procfs)) {
    const proc = Process.open(pid, { procfs: b.procfs });
    const d = proc.details();
    const view = {
      path: d.path,
      args: d.args,
      comm: d.comm,
      cwd: d.cwd,
      environ: [...d.environ].length,
    };
    if (!eq(view, expected) || (d.failures ?? []).length > 0)
      problems.push(
        `${b.label} details() gave ${JSON.stringify({ ...view, failures: d.failures })}`,
      );
    opened.set(b.key, proc);
  }
  if (!psutilSkipped) {
    const py = runPsutilMode('details-oneshot', pid, 0, 1).view;
    if (!eq(py, expected)) problems.push(`psutil oneshot gave ${JSON.stringify(py)}`);
  }
  if (problems.length > 0) return { name, title, problems };
  const entries = [
    ...perBackend(backends, (b) => ({
      name: `${b.label}: \`process.details()\` (a Process opened once)`,
      run: () => consumeDetails(opened.get(b.key).details()),
    })),
    psutilSkipped
      ? { key: 'psutil', name: 'psutil', why: psutilSkipped }
      : psutilRow(
          'details-oneshot',
          pid,
          plan,
          `psutil ${psutilVersion()}: fresh \`Process(pid)\`, then \`exe()\`, \`cmdline()\`, \`name()\`, \`cwd()\`, \`environ()\` inside \`oneshot()\``,
        ),
    floorRow(floor, 'details', pid, {
      key: 'c',
      name: 'C floor: read stat, cmdline, environ; readlink cwd, exe',
      minMs: plan.minMs,
      batch: 256,
    }),
  ];
  const rows = await measureRows(entries, plan, fileReadOptions(plan));
  const extra = [''];
  for (const b of backends.filter((b) => b.procfs))
    extra.push(`ops of one \`details()\` on ${b.label}: ${detailsOps(pid, b.backend)}.`);
  return {
    name,
    title,
    rows,
    extra,
    targets: [
      within(1.3, 'within 1.3x of the C floor', (b) => b, vsC),
      faster(
        2,
        '≥2x faster than psutil oneshot()',
        (b) => b,
        () => 'psutil',
      ),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// 6. A scan of every process: pid, ppid, comm, path, args.

const FIELDS = ['path', 'args'];

function runPs() {
  const run = spawnSync('ps', ['-eo', 'pid,ppid,comm,args'], { maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`ps failed: ${run.stderr}`);
  return run.stdout;
}

function scanProblems(crowd, backends, floor) {
  const problems = [];
  for (const b of backends.filter((b) => b.procfs)) {
    const kids = scanProcesses({ fields: FIELDS, procfs: b.procfs }).filter(
      (r) => r.ppid === crowd.pid,
    );
    const good = kids.filter(
      (r) =>
        r.comm === 'sleep' &&
        r.path === '/usr/bin/sleep' &&
        r.args?.[1] === '600' &&
        r.args.length === 4,
    );
    if (good.length !== CROWD)
      problems.push(
        `${b.label}: ${good.length} of the ${CROWD} sleeps found with comm, path and args`,
      );
  }
  const psKids = runPs()
    .toString('utf8')
    .split('\n')
    .filter((line) => {
      const f = line.trim().split(/\s+/);
      return Number(f[1]) === crowd.pid && f[2] === 'sleep' && f[4] === '600';
    }).length;
  if (psKids !== CROWD) problems.push(`ps: ${psKids} of the ${CROWD} sleeps listed`);
  const seen = runFloor(floor, 'scan', 1, 0, 1).check;
  if (seen < CROWD) problems.push(`the C floor saw ${seen} processes, fewer than the crowd`);
  return problems;
}

export async function scanCase({ backends, floor }, plan) {
  const name = 'scan';
  const title = `6. Scan of every process (pid, ppid, comm, path, args) with ${CROWD.toLocaleString('en-US')} extra \`sleep 600 <i> 0.5\` running`;
  const crowd = await startCrowd(CROWD);
  try {
    const problems = scanProblems(crowd, backends, floor);
    if (problems.length > 0) return { name, title, problems };
    const entries = [
      ...perBackend(backends, (b) => ({
        name: `${b.label}: \`scanProcesses({ fields: ['path', 'args'], procfs })\``,
        run: () => consumeScan(scanProcesses({ fields: FIELDS, procfs: b.procfs })),
      })),
      {
        key: 'ps',
        name: '`ps -eo pid,ppid,comm,args` (spawnSync, the whole command, output captured)',
        run: () => runPs().length,
      },
      floorRow(floor, 'scan', 1, {
        key: 'c',
        name: 'C floor: readdir /proc, then per pid read stat, cmdline, comm + readlink exe',
        minMs: plan.minMs,
        batch: 1,
        minSamples: SLOW_MIN_SAMPLES,
      }),
    ];
    const rows = await measureRows(entries, plan, slowOptions(plan));
    const processes = scanProcesses({ fields: [] }).length;
    return {
      name,
      title,
      rows,
      extra: [
        '',
        `about ${processes.toLocaleString('en-US')} processes on the machine during the case.`,
      ],
      targets: [
        faster(
          2.5,
          '≥2.5x faster than ps',
          (b) => b,
          () => 'ps',
        ),
        within(1.3, 'within 1.3x of the C floor', (b) => b, vsC),
      ],
    };
  } finally {
    stopCrowd(crowd);
    for (let i = 0; i < 100 && childrenOf(crowd.pid, 'sleep').length > 0; i++) await sleep(20);
  }
}

// ---------------------------------------------------------------------------------------------
// 7. The descriptors of a process holding 5,000.

export async function fdsCase({ backends, floor }, plan, psutilSkipped) {
  const name = 'fds';
  const title = `7. Descriptors of a process holding ${FD_COUNT.toLocaleString('en-US')} (/dev/null, a regular file, pipes, socket pairs)`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'procmon-native-bench-'));
  const regular = path.join(dir, 'held');
  writeFileSync(regular, 'held open by fd-holder.py\n');
  const holder = await startFdHolder(FD_COUNT, regular);
  const pid = holder.pid;
  try {
    const problems = [];
    for (const b of backends.filter((b) => b.procfs)) {
      const n = b.procfs.listFds(pid).length;
      if (n !== FD_COUNT) problems.push(`${b.label} listed ${n} descriptors`);
    }
    const listed = runFloor(floor, 'fds', pid, 0, 1).check;
    if (listed !== FD_COUNT) problems.push(`the C floor listed ${listed} descriptors`);
    if (!psutilSkipped) {
      const py = runPsutil(pid, 0, 1);
      if (py.numFds !== FD_COUNT) problems.push(`psutil num_fds() gave ${py.numFds}`);
    }
    if (problems.length > 0) return { name, title, problems };
    const entries = [
      ...perBackend(backends, (b) => ({
        name: `${b.label}: \`procfs.listFds(pid)\` (every fd with its target)`,
        run: () => b.procfs.listFds(pid).length,
      })),
      psutilSkipped
        ? { key: 'psutil', name: 'psutil', why: psutilSkipped }
        : {
            key: 'psutil',
            name: `psutil ${psutilVersion()}: \`num_fds()\` + \`open_files()\` (as psutil-fds.py, in one python3)`,
            external: true,
            time: async () => timeFromSamples(runPsutil(pid, plan.minMs, SLOW_MIN_SAMPLES).samples),
          },
      floorRow(floor, 'fds', pid, {
        key: 'c',
        name: 'C floor: readdir fd/ + readlinkat of each entry',
        minMs: plan.minMs,
        batch: 1,
        minSamples: SLOW_MIN_SAMPLES,
      }),
    ];
    const rows = await measureRows(entries, plan, slowOptions(plan));
    return {
      name,
      title,
      rows,
      targets: [
        faster(
          2.5,
          '≥2.5x faster than psutil',
          (b) => b,
          () => 'psutil',
        ),
      ],
    };
  } finally {
    await stop(holder);
    rmSync(dir, { recursive: true, force: true });
  }
}
