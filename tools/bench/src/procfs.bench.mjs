// @procmon/procfs against the bare floor, Node's own fs calls, `ls -l` and psutil, in one run.
// Usage: node --expose-gc src/procfs.bench.mjs [--quick] [case ...]
//   (cases: environ stat cmdline statm io fds)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, promises, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProcFS } from '@procmon/procfs';
import {
  bestRound,
  bytesPerOp,
  calibrate,
  environmentLine,
  fasterBy,
  formatTable,
  oursWithin,
  printSummary,
  rowWithin,
  timePerOp,
  timingPlan,
} from './harness.mjs';
import { makeEnviron } from './inputs.mjs';
import {
  bytesPerCall,
  floorBytes,
  floorRead,
  floorReadCopy,
  timeFromSamples,
  timePerOpAsync,
} from './io-harness.mjs';
import { psutilProblem, runPsutil, startFdHolder, startSleeper, stop } from './processes.mjs';

const FILES = ['environ', 'stat', 'cmdline', 'statm', 'io'];
const FD_COUNT = 5000;
const READ_FILE_SYNC_TARGET = 1.6;
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const plan = timingPlan(quick);
const only = args.filter((a) => !a.startsWith('--'));
for (const name of only) {
  if (![...FILES, 'fds'].includes(name))
    throw new Error(`unknown case "${name}"; cases: ${[...FILES, 'fds'].join(' ')}`);
}
const wanted = (name) => only.length === 0 || only.includes(name);

// File reads take microseconds: a sample is the mean of 256 calls (mitata's default 4,096 would
// make the awaited async rows take seconds per round), for every row alike.
const FILE_OPTIONS = { ...plan.options, batch_samples: 256 };
const procfs = new ProcFS();

const same = (a, b) => a.length === b.length && a.every((byte, i) => byte === b[i]);
const latin1 = (bytes) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');

/**
 * Whether two reads of the same file agree. `stat` may change between reads (a running process's
 * times and sizes): for it, the same fields up to and including ppid, and the same field count.
 * The other files of a sleeping `sleep` do not change, and must be byte for byte the same.
 */
const IN_FLIGHT = 16;

function agree(name, a, b) {
  if (same(a, b)) return true;
  if (name !== 'stat') return false;
  const head = (bytes) => {
    const text = latin1(bytes);
    const close = text.lastIndexOf(')');
    const rest = text
      .slice(close + 2)
      .trim()
      .split(' ');
    return {
      head: `${text.slice(0, close + 1)} ${rest.slice(0, 2).join(' ')}`,
      fields: rest.length,
    };
  };
  const x = head(a);
  const y = head(b);
  return x.head === y.head && x.fields === y.fields;
}

async function fileCase(name, pid, expectedEnviron) {
  const file = `/proc/${pid}/${name}`;
  const impls = [
    {
      name: 'ours: `procfs.readFile(pid, name)` (sync)',
      run: () => procfs.readFile(pid, name).length,
      read: () => procfs.readFile(pid, name),
    },
    {
      name: 'floor: `openSync` + `readSync` to 0 into a reused buffer + `closeSync`, no copy',
      target: oursWithin(1.15),
      run: () => floorRead(file),
      read: () => floorBytes(floorRead(file)),
    },
    {
      name: 'floor + copy out (`buffer.slice(0, length)`)',
      note: 'info: the floor plus the copy ours returns',
      run: () => floorReadCopy(file).length,
      read: () => floorReadCopy(file),
    },
    {
      name: '`fs.readFileSync(path)`',
      target: fasterBy(READ_FILE_SYNC_TARGET),
      run: () => readFileSync(file).length,
      read: () => new Uint8Array(readFileSync(file)),
    },
    {
      name: 'ours: `await procfs.promises.readFile(pid, name)`',
      isAsync: true,
      target: rowWithin(3, 'ours sync'),
      run: async () => (await procfs.promises.readFile(pid, name)).length,
      read: () => procfs.promises.readFile(pid, name),
    },
    {
      name: '`await fs.promises.readFile(path)`',
      isAsync: true,
      run: async () => (await promises.readFile(file)).length,
      read: async () => new Uint8Array(await promises.readFile(file)),
    },
    {
      // What the async API is for: many reads in flight at once (a scan of many processes).
      name: `ours: ${IN_FLIGHT} \`procfs.promises.readFile\` in flight, per read`,
      note: 'info: throughput, not latency',
      isAsync: true,
      perCall: IN_FLIGHT,
      run: async () => {
        const reads = [];
        for (let i = 0; i < IN_FLIGHT; i++) reads.push(procfs.promises.readFile(pid, name));
        return (await Promise.all(reads)).length;
      },
      read: () => procfs.promises.readFile(pid, name),
    },
  ];

  // Correctness first: every implementation reads the same bytes (environ: exactly the bytes the
  // target was started with).
  const reference = impls[0].read();
  const problems = [];
  if (expectedEnviron && !same(reference, expectedEnviron))
    problems.push(
      `ours read ${reference.length} B, not the ${expectedEnviron.length} B it was started with`,
    );
  for (const impl of impls.slice(1)) {
    const bytes = await impl.read();
    if (!agree(name, reference, bytes))
      problems.push(
        `${impl.name} read ${bytes.length} B that differ from ours (${reference.length} B)`,
      );
  }
  const title = `${name} of \`sleep\` (${reference.length} B${name === 'environ' ? ', 65 variables, started with `env -i`' : ''}): one read of the whole file`;
  if (problems.length > 0) return { name, title, problems };

  const rounds = impls.map(() => []);
  for (let round = 0; round < plan.rounds; round++) {
    for (const [i, impl] of impls.entries()) {
      rounds[i].push(
        await (impl.isAsync
          ? timePerOpAsync(impl.run, FILE_OPTIONS)
          : timePerOp(impl.run, FILE_OPTIONS)),
      );
    }
  }
  const rows = [];
  for (const [i, impl] of impls.entries()) {
    const bytes = impl.isAsync
      ? await bytesPerCall(impl.run, { calls: 512, isAsync: true })
      : bytesPerOp(impl.run);
    // A call that does several reads (the in-flight row) is reported per read.
    const per = impl.perCall ?? 1;
    const time = bestRound(rounds[i]);
    rows.push({
      ...impl,
      time: { ...time, median: time.median / per, mean: time.mean / per },
      bytes: bytes === null || bytes === undefined ? bytes : bytes / per,
    });
  }
  const row = (prefix) => rows.find((r) => r.name.startsWith(prefix));
  // The reference row compares itself with both call styles of ours.
  const oursAsync = row('ours: `await');
  const theirsAsync = row('`await fs.promises');
  const asyncRatio = theirsAsync.time.median / oursAsync.time.median;
  theirsAsync.note = `info: ours async ${asyncRatio >= 1 ? `${asyncRatio.toFixed(2)}x faster` : `${(1 / asyncRatio).toFixed(2)}x slower`}`;
  // How far any open + read-to-EOF + close can get ahead of readFileSync on this machine.
  const ceiling = row('`fs.readFileSync').time.median / row('floor:').time.median;
  const extra = [
    '',
    `the floor itself is ${ceiling.toFixed(2)}x faster than readFileSync${ceiling < READ_FILE_SYNC_TARGET ? `: the ≥${READ_FILE_SYNC_TARGET}x target is out of reach of any open + read-to-EOF + close on this machine` : ''}.`,
  ];
  return { name, title, rows, extra };
}

async function fdsCase(pid, regularFile) {
  const folder = `/proc/${pid}/fd`;
  const psutilSkipped = psutilProblem();
  const countLs = () => {
    const run = spawnSync('ls', ['-l', folder], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`ls -l ${folder} failed: ${run.stderr}`);
    return run.stdout.split('\n').filter((line) => line !== '' && !line.startsWith('total '))
      .length;
  };

  // Correctness first: every method sees every descriptor, and psutil's open_files() the same
  // regular files ours finds among the targets.
  const sync = procfs.listFds(pid);
  const asyncEntries = await procfs.promises.listFds(pid);
  const regular = sync.filter((entry) => {
    const target = latin1(entry.target);
    try {
      return target.startsWith('/') && statSync(target).isFile();
    } catch {
      return false;
    }
  }).length;
  const problems = [];
  const counts = {
    'ours (sync)': sync.length,
    'ours (async)': asyncEntries.length,
    'ls -l': countLs(),
  };
  let psutilInfo = null;
  if (!psutilSkipped) {
    psutilInfo = runPsutil(pid, 0, 1);
    counts['psutil num_fds()'] = psutilInfo.numFds;
    if (psutilInfo.openFiles !== regular)
      problems.push(
        `psutil open_files() lists ${psutilInfo.openFiles} regular files, ours ${regular}`,
      );
  }
  for (const [who, count] of Object.entries(counts)) {
    if (count !== FD_COUNT) problems.push(`${who} sees ${count} descriptors, not ${FD_COUNT}`);
  }
  const kinds = {};
  for (const entry of sync) {
    const target = latin1(entry.target);
    const kind = target.startsWith('/') ? target : target.replace(/:?\[\d+\]$/, '');
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  const mix = Object.entries(kinds)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => {
      const what = kind === regularFile ? 'opens of one regular file' : kind;
      return `${n.toLocaleString('en-US')} ${what}`;
    })
    .join(', ');
  const title = `fds: the ${FD_COUNT.toLocaleString('en-US')} descriptors of one process, each with its target`;
  if (problems.length > 0) return { name: 'fds', title, problems };

  const impls = [
    {
      name: 'ours: `procfs.listFds(pid)` (sync)',
      run: () => procfs.listFds(pid).length,
    },
    {
      name: 'ours: `await procfs.promises.listFds(pid)`',
      isAsync: true,
      run: async () => (await procfs.promises.listFds(pid)).length,
    },
    {
      name: '`ls -l /proc/PID/fd` (spawnSync, output to /dev/null; the whole command)',
      run: () => spawnSync('ls', ['-l', folder], { stdio: 'ignore' }).status,
    },
  ];
  if (!psutilSkipped) {
    impls.push({
      name: `psutil ${psutilInfo.version} \`Process(pid).num_fds()\` + \`open_files()\` (in one python3)`,
      external: true,
      note: `info: open_files() is ${regular} regular files, with offset and flags from fdinfo`,
    });
  }
  const minMs = plan.options.min_cpu_time / 1e6;
  const rounds = impls.map(() => []);
  for (let round = 0; round < plan.rounds; round++) {
    for (const [i, impl] of impls.entries()) {
      let time;
      if (impl.external) time = timeFromSamples(runPsutil(pid, minMs, 12).samples);
      else if (impl.isAsync) time = await timePerOpAsync(impl.run, plan.options);
      else time = await timePerOp(impl.run, plan.options);
      rounds[i].push(time);
    }
  }
  const rows = [];
  for (const [i, impl] of impls.entries()) {
    let bytes = null;
    if (!impl.external && i < 2)
      bytes = await bytesPerCall(impl.run, { calls: 8, isAsync: impl.isAsync });
    // A call that does several reads (the in-flight row) is reported per read.
    const per = impl.perCall ?? 1;
    const time = bestRound(rounds[i]);
    rows.push({
      ...impl,
      time: { ...time, median: time.median / per, mean: time.mean / per },
      bytes: bytes === null || bytes === undefined ? bytes : bytes / per,
    });
  }
  return { name: 'fds', title, rows, mix, psutilSkipped };
}

async function main() {
  console.log('## @procmon/procfs benchmarks\n');
  console.log(environmentLine());
  console.log(calibrate());
  console.log(
    `ns/op is the median of mitata samples (a sample is the mean of a batch of 256 calls when a call takes under 65 µs, else one call; async rows use mitata's async support, each call awaited before the next), best of ${plan.rounds} interleaved round(s); psutil is timed inside its own python3 process (median of per-call perf_counter_ns samples, interpreter startup not counted); \`ls -l\` is timed per whole command. bytes/op is heap + ArrayBuffer growth per call in this process (— where the work happens in another process).\n`,
  );
  const missed = [];
  const problems = [];
  let measured = 0;
  const report = (result, extra = []) => {
    if (result.problems) {
      problems.push(...result.problems.map((p) => `${result.name}: ${p}`));
      console.log(`### ${result.title}\n\nSKIPPED: the methods disagree (see below).\n`);
      return;
    }
    const table = formatTable(result.name, result.title, result.rows);
    missed.push(...table.missed);
    measured++;
    console.log(`${[table.text, ...extra].join('\n')}\n`);
  };

  if (FILES.some(wanted)) {
    const environ = makeEnviron(4096);
    const sleeper = await startSleeper(environ.bytes);
    try {
      console.log(
        `target: \`env -i <65 variables, 4,096 B> sleep 1000\` (pid ${sleeper.pid}). Targets: ours within 1.15x of the floor, ≥1.6x faster than readFileSync; ours async within 3x of ours sync.\n`,
      );
      for (const name of FILES) {
        if (!wanted(name)) continue;
        const result = await fileCase(name, sleeper.pid, name === 'environ' ? environ.bytes : null);
        report(result, result.extra);
      }
    } finally {
      await stop(sleeper);
    }
  }

  if (wanted('fds')) {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'procmon-bench-'));
    const regularFile = path.join(folder, 'held.txt');
    writeFileSync(regularFile, 'held open by the descriptor holder\n');
    let holder;
    try {
      holder = await startFdHolder(FD_COUNT, regularFile);
      const result = await fdsCase(holder.pid, regularFile);
      const extra = [];
      if (result.mix)
        extra.push('', `holder: python3 (pid ${holder.pid}); descriptors: ${result.mix}.`);
      if (result.psutilSkipped) extra.push('', `psutil: SKIPPED: ${result.psutilSkipped}.`);
      report(result, extra);
    } finally {
      if (holder) await stop(holder);
      rmSync(folder, { recursive: true, force: true });
    }
  }

  printSummary(measured, missed, problems);
}

await main();
