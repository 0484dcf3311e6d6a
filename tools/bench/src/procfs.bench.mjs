// @procmon/procfs against the bare floor, Node's own fs calls, `ls -l` and psutil, in one run.
// Usage: node --expose-gc src/procfs.bench.mjs [--quick] [case ...]
//   (cases: environ stat cmdline statm io fds)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, promises, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProcFS } from '@procmon/procfs';
import { readBenchArgs } from './bench-args.mjs';
import { fasterBy, oursWithin, rowWithin } from './harness.mjs';
import { makeEnviron } from './inputs.mjs';
import { measureInterleaved, syncOrAsyncBytes } from './interleaved.mjs';
import {
  bytesPerCall,
  fileReadOptions,
  floorBytes,
  floorRead,
  floorReadCopy,
  timeFromSamples,
} from './io-harness.mjs';
import { psutilProblem, runPsutil, startFdHolder, startSleeper, stop } from './processes.mjs';
import { printHeading, Report } from './report.mjs';

const FILES = ['environ', 'stat', 'cmdline', 'statm', 'io'];
const FD_COUNT = 5000;
const READ_FILE_SYNC_TARGET = 1.6;
const { plan, wanted } = readBenchArgs([...FILES, 'fds']);
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

  const rows = await measureInterleaved(impls, plan, {
    options: fileReadOptions(plan),
    allocation: syncOrAsyncBytes(512),
  });
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
      time: () => timeFromSamples(runPsutil(pid, plan.minMs, 12).samples),
    });
  }
  // Only ours allocate in this process.
  const rows = await measureInterleaved(impls, plan, {
    allocation: (impl, i) =>
      i < 2 ? bytesPerCall(impl.run, { calls: 8, isAsync: impl.isAsync }) : null,
  });
  return { name: 'fds', title, rows, mix, psutilSkipped };
}

async function main() {
  printHeading('@procmon/procfs benchmarks');
  console.log(
    `ns/op is the median of mitata samples (a sample is the mean of a batch of 256 calls when a call takes under 65 µs, else one call; async rows use mitata's async support, each call awaited before the next), best of ${plan.rounds} interleaved round(s); psutil is timed inside its own python3 process (median of per-call perf_counter_ns samples, interpreter startup not counted); \`ls -l\` is timed per whole command. bytes/op is heap + ArrayBuffer growth per call in this process (— where the work happens in another process).\n`,
  );
  const report = new Report();
  const disagreeing = () => 'the methods disagree (see below).';

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
        report.case(result, { skippedBecause: disagreeing });
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
      report.case({ ...result, extra }, { skippedBecause: disagreeing });
    } finally {
      if (holder) await stop(holder);
      rmSync(folder, { recursive: true, force: true });
    }
  }

  report.finish();
}

await main();
