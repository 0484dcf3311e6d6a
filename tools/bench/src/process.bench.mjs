// @procmon/process against the bare read floor, @stroncium/procfs, psutil, ps, ps-list and
// systeminformation, in one run.
// Usage: node --expose-gc src/process.bench.mjs [--quick] [case ...]
//   (cases: environ stat statm io cmdline details scan)
import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import * as oursModule from '@procmon/process';
import { Procfs } from '@stroncium/procfs';
import psList from 'ps-list';
import si from 'systeminformation';
import { readBenchArgs } from './bench-args.mjs';
import { addToSink, fasterBy, oursWithin } from './harness.mjs';
import { makeEnviron } from './inputs.mjs';
import { measureInterleaved, syncOrAsyncBytes } from './interleaved.mjs';
import {
  bytesPerCall,
  fileReadOptions,
  floorRead,
  floorScan,
  timeFromSamples,
} from './io-harness.mjs';
import { childrenOf, runPsutilMode, startCrowd, stopCrowd } from './process-children.mjs';
import { psutilProblem, startSleeper, stop } from './processes.mjs';
import { printHeading, Report } from './report.mjs';

const FILES = ['environ', 'stat', 'statm', 'io', 'cmdline'];
const CASES = [...FILES, 'details', 'scan'];
const CROWD = 1000;
const FLOOR_TARGET = 1.6;
const PSUTIL_READER_TARGET = 4;
const PSUTIL_DETAILS_TARGET = 3;
const PSUTIL_SCAN_TARGET = 3;
// systeminformation.processes() hands back its previous result when called again within 500 ms:
// every timed call of it comes at least this long after the previous one ends.
const SI_GAP_MS = 520;

const { quick, plan, wanted } = readBenchArgs(CASES);
const stroncium = new Procfs();
// The exports of @procmon/process by name, looked up per case (a missing one is reported, not
// thrown at import).
const ours = { ...oursModule };
const psutilSkipped = psutilProblem();

// Consumers: every benchmarked call reads every field of what it got (every key and value of an
// environment, every argument, every number of a stat), so a lazy result pays its full price.
function consumeValue(value) {
  switch (typeof value) {
    case 'number':
      return value | 0;
    case 'bigint':
      return value === 0n ? 0 : 1;
    case 'string':
      return value.length;
    case 'boolean':
      return value ? 1 : 0;
    case 'object':
      return value === null ? 0 : consumeObject(value);
    default:
      return 0;
  }
}
function consumeObject(object) {
  if (Array.isArray(object)) {
    let n = object.length;
    for (let i = 0; i < object.length; i++) n += consumeValue(object[i]);
    return n;
  }
  if (object instanceof Uint8Array) return object.length;
  if (typeof object[Symbol.iterator] === 'function') {
    let n = 0;
    for (const item of object) n += consumeValue(item);
    return n;
  }
  let n = 0;
  for (const key in object) n += consumeValue(object[key]);
  return n;
}
/** Every key and value of an Environ (or of [key, value] pairs). */
function consumeEnviron(environ) {
  let n = 0;
  for (const [key, value] of environ) n += key.length + value.length;
  return n;
}
function consumeStrings(list) {
  let n = list.length;
  for (let i = 0; i < list.length; i++) n += list[i].length;
  return n;
}

const isFunction = (name) => typeof ours[name] === 'function';
const pageSize = () => Number(spawnSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).stdout);
const timesText = (r) =>
  r >= 1 ? `${r.toFixed(2)}x faster than` : `${(1 / r).toFixed(2)}x slower than`;
const eq = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function psutilRow(mode, pid, name, target, note) {
  return {
    name,
    external: true,
    target,
    note,
    time: async () => timeFromSamples(runPsutilMode(mode, pid, plan.minMs, 12).samples),
  };
}

// ---------------------------------------------------------------------------------------------
// 1. One-call readers: readEnviron, readStat, readStatm, readIo, readCmdline.

const READERS = {
  environ: {
    ours: 'readEnviron',
    theirs: 'processEnviron',
    consume: consumeEnviron,
    consumeTheirs: consumeEnviron,
    psutil: '`Process(pid).environ()`',
  },
  stat: {
    ours: 'readStat',
    theirs: 'processStat',
    consume: consumeObject,
    consumeTheirs: consumeObject,
    psutil: '`Process(pid).ppid()` (parses all of stat into its dict per call)',
  },
  statm: {
    ours: 'readStatm',
    theirs: 'processStatm',
    consume: consumeObject,
    consumeTheirs: consumeObject,
    psutil: '`Process(pid).memory_info()`',
  },
  io: {
    ours: 'readIo',
    theirs: 'processIo',
    consume: consumeObject,
    consumeTheirs: consumeObject,
    psutil: '`Process(pid).io_counters()`',
  },
  cmdline: {
    ours: 'readCmdline',
    theirs: 'processCmdline',
    consume: consumeStrings,
    consumeTheirs: consumeStrings,
    psutil: '`Process(pid).cmdline()`',
  },
};

/** What each implementation read, in one shape, so the bench can check they agree. */
function readerProblems(name, pid, expectedPairs) {
  const problems = [];
  const spec = READERS[name];
  const mine = ours[spec.ours](pid);
  const theirs = stroncium[spec.theirs](pid);
  const py = psutilSkipped ? null : runPsutilMode(name, pid, 0, 1).view;
  const check = (who, ok, detail) => {
    if (!ok) problems.push(`${who} disagrees: ${detail}`);
  };
  if (name === 'environ') {
    const pairs = [...mine];
    check('ours', eq(pairs, expectedPairs), `${pairs.length} variables, not the started 65`);
    check('@stroncium/procfs', eq(theirs, expectedPairs), `${theirs.length} variables`);
    if (py) check('psutil', eq(py, [...expectedPairs].sort()), `${py.length} variables`);
  } else if (name === 'stat') {
    check('ours', mine.ppid === process.pid && mine.comm === 'sleep', `ppid ${mine.ppid}`);
    check('@stroncium/procfs', theirs.parent === mine.ppid, `ppid ${theirs.parent}`);
    if (py !== null) check('psutil', py === mine.ppid, `ppid ${py}`);
  } else if (name === 'statm') {
    const page = pageSize();
    check('ours', mine.bytes.resident === mine.pages.resident * page, 'bytes ≠ pages × page size');
    check(
      '@stroncium/procfs',
      theirs.resident === mine.pages.resident && theirs.size === mine.pages.size,
      JSON.stringify(theirs),
    );
    if (py)
      check(
        'psutil',
        py.rss === mine.bytes.resident && py.vms === mine.bytes.size,
        JSON.stringify(py),
      );
  } else if (name === 'io') {
    check('@stroncium/procfs', BigInt(theirs.read) === mine.rchar, JSON.stringify(theirs));
    if (py) check('psutil', BigInt(py.read_chars) === mine.rchar, JSON.stringify(py));
  } else if (name === 'cmdline') {
    check('ours', eq(mine, ['sleep', '1000']), JSON.stringify(mine));
    check('@stroncium/procfs', eq(theirs, mine), JSON.stringify(theirs));
    if (py) check('psutil', eq(py, mine), JSON.stringify(py));
  }
  return problems;
}

async function readerCase(name, pid, expectedPairs) {
  const spec = READERS[name];
  const file = `/proc/${pid}/${name}`;
  const size = floorRead(file);
  const title = `${name}: \`${spec.ours}(pid)\` of \`sleep\` (${size} B${name === 'environ' ? `, ${expectedPairs.length} variables` : ''}), result fully consumed`;
  const asyncName = `${spec.ours}Async`;
  const missing = [spec.ours, asyncName].filter((n) => !isFunction(n));
  if (missing.length > 0)
    return { name, title, problems: [`@procmon/process does not export ${missing.join(', ')}`] };
  const problems = readerProblems(name, pid, expectedPairs);
  if (problems.length > 0) return { name, title, problems };

  const read = ours[spec.ours];
  const readAsync = ours[asyncName];
  const theirs = stroncium[spec.theirs].bind(stroncium);
  const impls = [
    { name: `ours: \`${spec.ours}(pid)\` (sync)`, run: () => spec.consume(read(pid)) },
    {
      name: 'floor: `openSync` + `readSync` to 0 into a reused buffer + `closeSync`, no parsing',
      target: oursWithin(FLOOR_TARGET),
      run: () => floorRead(file),
    },
    {
      name: `@stroncium/procfs \`procfs.${spec.theirs}(pid)\``,
      target: fasterBy(1),
      run: () => spec.consumeTheirs(theirs(pid)),
    },
    {
      name: `ours: \`await ${asyncName}(pid)\``,
      note: 'info: the async call style',
      isAsync: true,
      run: async () => spec.consume(await readAsync(pid)),
    },
  ];
  if (!psutilSkipped) {
    impls.push(
      psutilRow(
        name,
        pid,
        `psutil ${psutilVersion()} ${spec.psutil} (one Process, no oneshot, in one python3)`,
        fasterBy(PSUTIL_READER_TARGET),
      ),
    );
  }
  const rows = await measureInterleaved(impls, plan, {
    options: fileReadOptions(plan),
    allocation: syncOrAsyncBytes(512),
  });
  const oursAsync = rows[3];
  oursAsync.note = `info: async call style, ${(oursAsync.time.median / rows[0].time.median).toFixed(2)}x the time of sync`;
  // How far ahead of the others any open + read-to-EOF + close gets on this machine, parsing
  // nothing: when that is less than a target, no reader can meet it.
  const floor = rows[1].time.median;
  const extra = [''];
  const theirsCeiling = rows[2].time.median / floor;
  extra.push(`the floor alone is ${timesText(theirsCeiling)} @stroncium/procfs's read + parse`);
  if (!psutilSkipped) {
    const ceiling = rows[4].time.median / floor;
    extra[1] += `, and ${timesText(ceiling)} psutil's${ceiling < PSUTIL_READER_TARGET ? `: the ≥${PSUTIL_READER_TARGET}x psutil target is out of reach of any open + read-to-EOF + close from Node on this machine` : ''}`;
  }
  extra[1] += '.';
  return { name, title, rows, extra };
}

let psutilVersionCache;
function psutilVersion() {
  psutilVersionCache ??= spawnSync(
    '/usr/bin/python3',
    ['-c', 'import psutil; print(psutil.__version__)'],
    { encoding: 'utf8' },
  ).stdout.trim();
  return psutilVersionCache;
}

// ---------------------------------------------------------------------------------------------
// 2. Details of one process: path, args, comm, cwd, environ.

function consumeDetails(details) {
  let n = details.path.length + details.comm.length + details.cwd.length;
  n += consumeStrings(details.args);
  n += consumeEnviron(details.environ);
  return n;
}

/** The I/O of details with nothing else: the identity read (stat), the four files, two links. */
function detailsFloor(pid) {
  const dir = `/proc/${pid}/`;
  return (
    floorRead(`${dir}stat`) +
    floorRead(`${dir}comm`) +
    floorRead(`${dir}cmdline`) +
    floorRead(`${dir}environ`) +
    readlinkSync(`${dir}exe`).length +
    readlinkSync(`${dir}cwd`).length
  );
}

async function detailsCase(pid, expectedPairs) {
  const title = `details: path, args, comm, cwd and environ of \`sleep\` (${expectedPairs.length} variables), a fresh object per call`;
  if (typeof ours.Process?.open !== 'function')
    return { name: 'details', title, problems: ['@procmon/process does not export Process.open'] };
  const problems = [];
  const details = ours.Process.open(pid).details();
  const failures = details.failures ?? details.errors ?? [];
  if (failures.length > 0)
    problems.push(`ours: details() reported failures: ${JSON.stringify(failures)}`);
  const cwd = process.cwd();
  const view = {
    path: details.path,
    args: details.args,
    comm: details.comm,
    cwd: details.cwd,
    environ: details.environ ? [...details.environ].length : null,
  };
  const expected = {
    path: '/usr/bin/sleep',
    args: ['sleep', '1000'],
    comm: 'sleep',
    cwd,
    environ: expectedPairs.length,
  };
  if (!eq(view, expected)) problems.push(`ours: details() gave ${JSON.stringify(view)}`);
  if (!psutilSkipped) {
    for (const mode of ['details', 'details-oneshot']) {
      const py = runPsutilMode(mode, pid, 0, 1).view;
      if (!eq(py, expected)) problems.push(`psutil ${mode} gave ${JSON.stringify(py)}`);
    }
  }
  if (problems.length > 0) return { name: 'details', title, problems };

  const impls = [
    {
      name: 'ours: `Process.open(pid).details()` (sync)',
      run: () => consumeDetails(ours.Process.open(pid).details()),
    },
  ];
  if (typeof ours.Process.openAsync === 'function') {
    impls.push({
      name: 'ours: `(await Process.openAsync(pid)).detailsAsync()`',
      note: 'info: the async call style',
      isAsync: true,
      run: async () => consumeDetails(await (await ours.Process.openAsync(pid)).detailsAsync()),
    });
  }
  impls.push({
    name: 'floor: bare reads of stat, comm, cmdline, environ (as in the reader tables) + `readlinkSync` of exe and cwd, no parsing',
    note: 'info: the I/O any implementation does',
    run: () => detailsFloor(pid),
  });
  impls.push({
    name: '@stroncium/procfs: `processExe` + `processCmdline` + `processComm` + `processCwd` + `processEnviron`',
    note: 'info: five reads, no identity check',
    run: () =>
      stroncium.processExe(pid).path.length +
      consumeStrings(stroncium.processCmdline(pid)) +
      stroncium.processComm(pid).length +
      stroncium.processCwd(pid).length +
      consumeEnviron(stroncium.processEnviron(pid)),
  });
  if (!psutilSkipped) {
    impls.push(
      {
        short: 'psutil with a fresh Process',
        ...psutilRow(
          'details',
          pid,
          `psutil ${psutilVersion()}: fresh \`Process(pid)\`, then \`exe()\`, \`cmdline()\`, \`name()\`, \`cwd()\`, \`environ()\``,
          fasterBy(PSUTIL_DETAILS_TARGET),
        ),
      },
      {
        short: 'psutil with oneshot()',
        ...psutilRow(
          'details-oneshot',
          pid,
          `psutil ${psutilVersion()}: the same inside \`with p.oneshot():\``,
          fasterBy(PSUTIL_DETAILS_TARGET),
        ),
      },
    );
  }
  const rows = await measureInterleaved(impls, plan, {
    options: fileReadOptions(plan),
    allocation: syncOrAsyncBytes(256),
  });
  const floor = rows.find((row) => row.name.startsWith('floor')).time.median;
  const extra = [];
  for (const row of rows.filter((r) => r.name.startsWith('psutil'))) {
    const ceiling = row.time.median / floor;
    extra.push(
      `the floor alone is ${timesText(ceiling)} ${row.short}${ceiling < PSUTIL_DETAILS_TARGET ? `: the ≥${PSUTIL_DETAILS_TARGET}x target is out of reach of these reads from Node on this machine` : ''}.`,
    );
  }
  return { name: 'details', title, rows, extra: ['', ...extra] };
}

// ---------------------------------------------------------------------------------------------
// 3. A `procmon ps` scan: pid, ppid, comm, path, args of every process.

// pid, ppid and comm come from the stat every scanned process gets; these are the fields beyond it.
const SCAN_FIELDS = ['path', 'args'];

function consumeScan(rows) {
  let n = rows.length;
  for (const row of rows) {
    n += row.pid + row.ppid + row.comm.length + (row.path?.length ?? 0);
    if (row.args) n += consumeStrings(row.args);
  }
  return n;
}
function consumePsList(rows) {
  let n = rows.length;
  for (const row of rows) n += row.pid + row.ppid + row.name.length + (row.cmd?.length ?? 0);
  return n;
}
function consumeSi(result) {
  let n = result.list.length;
  for (const row of result.list)
    n += row.pid + row.parentPid + row.name.length + row.command.length + (row.params?.length ?? 0);
  return n;
}

/**
 * The I/O of a scan with nothing else: list /proc, then for each pid a bare read of stat (ppid,
 * comm) and cmdline (args) and the exe link (path). A process that exits meanwhile is skipped.
 */
function scanFloor() {
  return floorScan(['stat', 'cmdline']);
}

/** The ps command as a replacement would run it: the whole command, its output captured. */
function runPs() {
  const run = spawnSync('ps', ['-eo', 'pid,ppid,comm,args'], { maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`ps failed: ${run.stderr}`);
  return run.stdout;
}

/** systeminformation.processes(), each timed call at least SI_GAP_MS after the previous one. */
async function timeSi(samples) {
  const times = [];
  for (let i = 0; i < samples; i++) {
    await sleep(SI_GAP_MS);
    const t0 = process.hrtime.bigint();
    addToSink(consumeSi(await si.processes()));
    times.push(Number(process.hrtime.bigint() - t0));
  }
  return timeFromSamples(times);
}

async function scanCase(crowd) {
  const title = `scan: pid, ppid, comm, path and args of every process, with ${CROWD.toLocaleString('en-US')} extra \`sleep 600 <i> 0.5\` running`;
  if (!isFunction('scanProcesses'))
    return { name: 'scan', title, problems: ['@procmon/process does not export scanProcesses'] };
  const problems = [];
  const expectedArgs = (row) => ['sleep', '600', row.args?.[2], '0.5'];
  const mine = ours.scanProcesses({ fields: SCAN_FIELDS });
  const kids = mine.filter((r) => r.ppid === crowd.pid);
  const good = kids.filter(
    (r) =>
      r.comm === 'sleep' &&
      r.path === '/usr/bin/sleep' &&
      eq(r.args, expectedArgs(r)) &&
      /^\d+$/.test(r.args[2]),
  );
  if (good.length !== CROWD)
    problems.push(
      `ours: ${good.length} of ${kids.length} children of the crowd have the expected comm, path and args (example: ${JSON.stringify(kids[0])})`,
    );
  const psKids = runPs()
    .toString('utf8')
    .split('\n')
    .filter((line) => {
      const f = line.trim().split(/\s+/);
      return Number(f[1]) === crowd.pid && f[2] === 'sleep' && f[3] === 'sleep' && f[4] === '600';
    }).length;
  if (psKids !== CROWD) problems.push(`ps: ${psKids} children of the crowd, not ${CROWD}`);
  const listed = await psList();
  const listKids = listed.filter(
    (r) => r.ppid === crowd.pid && r.name === 'sleep' && r.cmd?.startsWith('sleep 600 '),
  ).length;
  if (listKids !== CROWD) problems.push(`ps-list: ${listKids} children of the crowd, not ${CROWD}`);
  const info = await si.processes();
  const siKids = info.list.filter((r) => r.parentPid === crowd.pid && r.name === 'sleep').length;
  if (siKids !== CROWD)
    problems.push(`systeminformation: ${siKids} children of the crowd, not ${CROWD}`);
  let psutilView = null;
  if (!psutilSkipped) {
    psutilView = runPsutilMode('scan', crowd.pid, 0, 1).view;
    const sample = psutilView.sample;
    if (
      psutilView.children !== CROWD ||
      sample[2] !== 'sleep' ||
      sample[3] !== '/usr/bin/sleep' ||
      sample[4][1] !== '600'
    )
      problems.push(`psutil: ${JSON.stringify(psutilView)}`);
  }
  if (problems.length > 0) return { name: 'scan', title, problems };

  const impls = [
    {
      name: "ours: `scanProcesses({ fields: ['path', 'args'] })` (sync; pid, ppid, comm from stat)",
      run: () => consumeScan(ours.scanProcesses({ fields: SCAN_FIELDS })),
    },
  ];
  if (isFunction('scanProcessesAsync')) {
    impls.push({
      name: '`await scanProcessesAsync({ fields })`',
      note: 'info: the async call style',
      isAsync: true,
      run: async () => consumeScan(await ours.scanProcessesAsync({ fields: SCAN_FIELDS })),
    });
  }
  impls.push(
    {
      name: "floor: `readdirSync('/proc')`, then per pid bare reads of stat and cmdline + `readlinkSync` of exe, no parsing",
      note: 'info: the I/O any implementation does',
      run: scanFloor,
    },
    {
      name: '`ps -eo pid,ppid,comm,args` (spawnSync, output captured, not parsed; the whole command)',
      target: fasterBy(1),
      run: () => runPs().length,
    },
    {
      name: 'ps-list 9.0.0 `await psList()` (two `ps` in parallel, then each exe link read)',
      target: fasterBy(1),
      isAsync: true,
      run: async () => consumePsList(await psList()),
    },
    {
      name: `systeminformation 5.33.23 \`await si.processes()\` (called ≥${SI_GAP_MS} ms apart: within 500 ms it returns its cached result)`,
      target: fasterBy(1),
      external: true,
      time: () => timeSi(quick ? 3 : 5),
    },
  );
  if (!psutilSkipped) {
    impls.push(
      psutilRow(
        'scan',
        crowd.pid,
        `psutil ${psutilVersion()} \`process_iter(['pid','ppid','name','exe','cmdline'])\`, every \`info\` read`,
        fasterBy(PSUTIL_SCAN_TARGET),
      ),
    );
  }
  const rows = await measureInterleaved(impls, plan, {
    allocation: (impl) =>
      impl === impls[0] || impl.note?.startsWith('info: the async')
        ? bytesPerCall(impl.run, { calls: 4, isAsync: impl.isAsync })
        : null,
  });
  const processes = mine.length;
  const extra = [
    '',
    `${processes.toLocaleString('en-US')} processes on the machine when checked (ours), psutil saw ${psutilView?.total?.toLocaleString('en-US') ?? '—'}; every implementation saw all ${CROWD.toLocaleString('en-US')} extra sleeps with the expected fields.`,
  ];
  const floor = rows.find((row) => row.name.startsWith('floor')).time.median;
  const py = rows.find((row) => row.name.startsWith('psutil'));
  if (py) {
    const ceiling = py.time.median / floor;
    extra.push(
      `the floor alone is ${timesText(ceiling)} psutil's scan${ceiling < PSUTIL_SCAN_TARGET ? `: the ≥${PSUTIL_SCAN_TARGET}x target is out of reach of these reads from Node on this machine` : ''}.`,
    );
  }
  return { name: 'scan', title, rows, extra };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  printHeading('@procmon/process benchmarks');
  console.log(
    `ns/op is the median of mitata samples (file reads: a sample is the mean of a batch of 256 calls; async rows await each call before the next), best of ${plan.rounds} interleaved round(s); psutil ${psutilSkipped ? '(skipped)' : psutilVersion()} runs in its own python3 (/usr/bin/python3), timed inside it per call with perf_counter_ns after 2 warm-up calls, interpreter startup not counted; \`ps\` is timed per whole command; systeminformation per call with \`process.hrtime\`. Every result is fully consumed (every key, value, argument and field read). bytes/op is heap + ArrayBuffer growth per call in this process (— where the work happens in another process or cannot be told apart from GC).\n`,
  );
  const report = new Report();
  if (psutilSkipped) report.problem(`psutil: ${psutilSkipped}`);

  if (FILES.some(wanted) || wanted('details')) {
    const environ = makeEnviron(4096);
    const expectedPairs = new TextDecoder()
      .decode(environ.bytes)
      .split('\0')
      .slice(0, -1)
      .map((entry) => {
        const eqAt = entry.indexOf('=');
        return [entry.slice(0, eqAt), entry.slice(eqAt + 1)];
      });
    const sleeper = await startSleeper(environ.bytes);
    try {
      console.log(
        `target: \`env -i <${environ.count} variables, 4,096 B> sleep 1000\` (pid ${sleeper.pid}). Targets per file: ours within ${FLOOR_TARGET}x of the floor, faster than @stroncium/procfs, ≥${PSUTIL_READER_TARGET}x faster than psutil; details ≥${PSUTIL_DETAILS_TARGET}x faster than psutil.\n`,
      );
      console.log('## 1. One-call readers\n');
      for (const name of FILES) {
        if (wanted(name)) report.case(await readerCase(name, sleeper.pid, expectedPairs));
      }
      if (wanted('details')) {
        console.log('## 2. Details of one process\n');
        report.case(await detailsCase(sleeper.pid, expectedPairs));
      }
    } finally {
      await stop(sleeper);
    }
  }

  if (wanted('scan')) {
    console.log('## 3. Scan of all processes\n');
    const t0 = Date.now();
    const crowd = await startCrowd(CROWD);
    console.log(
      `${CROWD.toLocaleString('en-US')} extra processes: \`sh\` (pid ${crowd.pid}) started ${CROWD.toLocaleString('en-US')} \`sleep 600 <i> 0.5\` in ${Date.now() - t0} ms; all killed when the case ends. Targets: faster than ps, ps-list and systeminformation, ≥${PSUTIL_SCAN_TARGET}x faster than psutil.\n`,
    );
    try {
      report.case(await scanCase(crowd));
    } finally {
      stopCrowd(crowd);
      for (let i = 0; i < 100 && childrenOf(crowd.pid, 'sleep').length > 0; i++) await sleep(20);
    }
  }

  report.finish();
  console.log(`(run took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

await main();
// systeminformation and ps-list leave nothing running, but a stray timer must not keep us alive.
process.exit();
