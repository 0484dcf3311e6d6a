// @procmon/parse against @stroncium/procfs and a naive baseline, on the same bytes, in one run.
// Usage: node --expose-gc src/parse.bench.mjs [--quick] [case ...]   (cases: environ stat statm io cmdline)
import * as ours from '@procmon/parse';
import processCmdline from '@stroncium/procfs/lib/parsers/processCmdline.js';
import processEnviron from '@stroncium/procfs/lib/parsers/processEnviron.js';
import processIo from '@stroncium/procfs/lib/parsers/processIo.js';
import processStat from '@stroncium/procfs/lib/parsers/processStat.js';
import processStatm from '@stroncium/procfs/lib/parsers/processStatm.js';
import { readBenchArgs } from './bench-args.mjs';
import { bytesPerOp, fasterBy } from './harness.mjs';
import { captureProcFiles, makeEnviron } from './inputs.mjs';
import { measureInterleaved } from './interleaved.mjs';
import { naiveSplitEnviron } from './naive.mjs';
import { printHeading, Report } from './report.mjs';

const PAGE_SIZE = 4096;
const { plan, wanted } = readBenchArgs(['environ', 'stat', 'statm', 'io', 'cmdline']);

// @stroncium/procfs parses strings: its reader decodes the file with Buffer#toString('utf8') before
// parsing. Every implementation starts from the same bytes, so the rows its targets are measured
// against include that decode, as its own reader does; the "string in" rows (info only) hand it
// the string ready-made, decoded outside the timed loop.
const text = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
const buffer = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);

const num = (v) => (typeof v === 'bigint' ? Number(v) : v);

// Each implementation: `run` parses and consumes the result (returns a small number), `view` gives
// the result in a shape common to all implementations so the bench can check they agree.
function environCase(bytes, count) {
  const sumMap = (map) => {
    let n = 0;
    for (const [k, v] of map) n += k.length + v.length;
    return n + map.get('HOME').length;
  };
  const sumPairs = (pairs) => {
    let n = 0;
    for (const [k, v] of pairs) n += k.length + v.length;
    return n + pairs.find((p) => p[0] === 'HOME')[1].length;
  };
  const sumObject = (object) => {
    let n = 0;
    for (const k in object) n += k.length + object[k].length;
    return n + object.HOME.length;
  };
  const str = text(bytes);
  const buf = buffer(bytes);
  return {
    title: `environ (${bytes.length} B, ${count} variables; every key and value read, one lookup)`,
    missing: typeof ours.parseEnviron === 'function' ? null : 'parseEnviron',
    impls: [
      {
        name: '@procmon/parse parseEnviron',
        run: () => sumMap(ours.parseEnviron(bytes)),
        view: () => [...ours.parseEnviron(bytes)],
      },
      {
        name: '@stroncium/procfs processEnviron (string in)',
        note: 'info: decoded outside the timed loop',
        run: () => sumPairs(processEnviron(str)),
        view: () => processEnviron(str),
      },
      {
        name: 'naive split (TextDecoder + split + indexOf)',
        target: fasterBy(4),
        run: () => sumObject(naiveSplitEnviron(bytes)),
        view: () => Object.entries(naiveSplitEnviron(bytes)),
      },
      {
        name: '@stroncium/procfs processEnviron (bytes in, its utf8 decode)',
        target: fasterBy(2),
        run: () => sumPairs(processEnviron(buf.toString('utf8'))),
        view: () => processEnviron(buf.toString('utf8')),
      },
    ],
  };
}

// The stat fields the consumer reads, named as each library names them.
const statView = (r, names) => Object.fromEntries(names.map((n, i) => [STAT_FIELDS[i], num(r[n])]));
const STAT_FIELDS = [
  'pid',
  'comm',
  'state',
  'ppid',
  'utime',
  'stime',
  'threads',
  'startTime',
  'vsize',
  'rss',
];
const OURS_STAT = [
  'pid',
  'comm',
  'state',
  'ppid',
  'utime',
  'stime',
  'numThreads',
  'startTime',
  'vsize',
  'rss',
];
const STRONCIUM_STAT = [
  'pid',
  'comm',
  'state',
  'parent',
  'userTicks',
  'kernelTicks',
  'threads',
  'startTicks',
  'vsize',
  'rss',
];
const sumStat = (r, n) =>
  r[n[0]] +
  r[n[1]].length +
  num(r[n[4]]) +
  num(r[n[5]]) +
  num(r[n[6]]) +
  num(r[n[7]]) +
  num(r[n[8]]) +
  num(r[n[9]]);

function statCase(bytes) {
  const str = text(bytes);
  const buf = buffer(bytes);
  return {
    title: `stat (${bytes.length} B, live process; pid, comm, times, threads, start, vsize, rss read)`,
    missing: typeof ours.parseStat === 'function' ? null : 'parseStat',
    impls: [
      {
        name: '@procmon/parse parseStat',
        run: () => sumStat(ours.parseStat(bytes), OURS_STAT),
        view: () => statView(ours.parseStat(bytes), OURS_STAT),
      },
      {
        name: '@stroncium/procfs processStat (bytes in, its utf8 decode)',
        target: fasterBy(3),
        run: () => sumStat(processStat(buf.toString('utf8')), STRONCIUM_STAT),
        view: () => statView(processStat(buf.toString('utf8')), STRONCIUM_STAT),
      },
      {
        name: '@stroncium/procfs processStat (string in)',
        note: 'info: decoded outside the timed loop',
        run: () => sumStat(processStat(str), STRONCIUM_STAT),
        view: () => statView(processStat(str), STRONCIUM_STAT),
      },
    ],
  };
}

function statmCase(bytes) {
  const str = text(bytes);
  const buf = buffer(bytes);
  // Both report pages (ours also gives bytes, computed from the page size it is given): the
  // consumer reads the five page counts stroncium returns.
  const pages = (r) => ({
    size: r.size,
    resident: r.resident,
    shared: r.shared,
    text: r.text,
    data: r.data,
  });
  const sum = (r) => r.size + r.resident + r.shared + r.text + r.data;
  return {
    title: `statm (${bytes.length} B, live process; size, resident, shared, text, data read)`,
    missing: typeof ours.parseStatm === 'function' ? null : 'parseStatm',
    impls: [
      {
        name: '@procmon/parse parseStatm',
        run: () => sum(ours.parseStatm(bytes, { pageSize: PAGE_SIZE }).pages),
        view: () => pages(ours.parseStatm(bytes, { pageSize: PAGE_SIZE }).pages),
      },
      {
        name: '@stroncium/procfs processStatm (bytes in, its utf8 decode)',
        target: fasterBy(3),
        run: () => sum(processStatm(buf.toString('utf8'))),
        view: () => pages(processStatm(buf.toString('utf8'))),
      },
      {
        name: '@stroncium/procfs processStatm (string in)',
        note: 'info: decoded outside the timed loop',
        run: () => sum(processStatm(str)),
        view: () => pages(processStatm(str)),
      },
    ],
  };
}

const IO_FIELDS = [
  'rchar',
  'wchar',
  'syscr',
  'syscw',
  'read_bytes',
  'write_bytes',
  'cancelled_write_bytes',
];
const OURS_IO = [
  'rchar',
  'wchar',
  'syscr',
  'syscw',
  'readBytes',
  'writeBytes',
  'cancelledWriteBytes',
];
const STRONCIUM_IO = [
  'read',
  'write',
  'readSyscalls',
  'writeSyscalls',
  'readReal',
  'writeReal',
  'writeCancelled',
];
const ioView = (r, names) => Object.fromEntries(names.map((n, i) => [IO_FIELDS[i], num(r[n])]));
const sumIo = (r, n) =>
  num(r[n[0]]) +
  num(r[n[1]]) +
  num(r[n[2]]) +
  num(r[n[3]]) +
  num(r[n[4]]) +
  num(r[n[5]]) +
  num(r[n[6]]);

function ioCase(bytes) {
  const str = text(bytes);
  const buf = buffer(bytes);
  return {
    title: `io (${bytes.length} B, live process; all 7 counters read)`,
    missing: typeof ours.parseIo === 'function' ? null : 'parseIo',
    impls: [
      {
        name: '@procmon/parse parseIo',
        run: () => sumIo(ours.parseIo(bytes), OURS_IO),
        view: () => ioView(ours.parseIo(bytes), OURS_IO),
      },
      {
        name: '@stroncium/procfs processIo (bytes in, its utf8 decode)',
        target: fasterBy(3),
        run: () => sumIo(processIo(buf.toString('utf8')), STRONCIUM_IO),
        view: () => ioView(processIo(buf.toString('utf8')), STRONCIUM_IO),
      },
      {
        name: '@stroncium/procfs processIo (string in)',
        note: 'info: decoded outside the timed loop',
        run: () => sumIo(processIo(str), STRONCIUM_IO),
        view: () => ioView(processIo(str), STRONCIUM_IO),
      },
    ],
  };
}

function cmdlineCase(bytes) {
  const str = text(bytes);
  const buf = buffer(bytes);
  const sum = (list) => {
    let n = list.length;
    for (const arg of list) n += arg.length;
    return n;
  };
  return {
    title: `cmdline (${bytes.length} B, live process, ${bytes.filter((b) => b === 0).length} arguments; every argument read)`,
    missing: typeof ours.parseCmdline === 'function' ? null : 'parseCmdline',
    impls: [
      {
        name: '@procmon/parse parseCmdline',
        run: () => sum(ours.parseCmdline(bytes)),
        view: () => ours.parseCmdline(bytes),
      },
      {
        name: '@stroncium/procfs processCmdline (bytes in, its utf8 decode)',
        target: fasterBy(3),
        run: () => sum(processCmdline(buf.toString('utf8'))),
        view: () => processCmdline(buf.toString('utf8')),
      },
      {
        name: '@stroncium/procfs processCmdline (string in)',
        note: 'info: decoded outside the timed loop',
        run: () => sum(processCmdline(str)),
        view: () => processCmdline(str),
      },
    ],
  };
}

async function main() {
  const environ = makeEnviron(4096);
  const proc = await captureProcFiles();
  const cases = {
    environ: environCase(environ.bytes, environ.count),
    stat: statCase(proc.stat),
    statm: statmCase(proc.statm),
    io: ioCase(proc.io),
    cmdline: cmdlineCase(proc.cmdline),
  };

  printHeading(
    '@procmon/parse benchmarks',
    `inputs: generated environ; stat, statm, io, cmdline of a live node process (pid ${proc.pid})`,
  );
  console.log(
    `ns/op is the median of mitata batch means, best of ${plan.rounds} interleaved round(s); ops/s is 1e9 / that median; bytes/op is heap + ArrayBuffer growth per call (median of 7 GC-free windows).\n`,
  );

  const report = new Report();
  for (const [name, bench] of Object.entries(cases)) {
    if (!wanted(name)) continue;
    if (bench.missing) {
      report.problem(`${name}: @procmon/parse does not export ${bench.missing} (yet)`);
      report.skipped(bench.title, `@procmon/parse does not export ${bench.missing}.`);
      continue;
    }
    // Every implementation must read the same thing out of the bytes, or the race is meaningless.
    const expected = JSON.stringify(bench.impls[0].view());
    const disagree = bench.impls.filter((impl) => JSON.stringify(impl.view()) !== expected);
    if (disagree.length > 0) {
      for (const impl of disagree) {
        report.problem(
          `${name}: ${impl.name} disagrees with ours:\n  ours:   ${expected}\n  theirs: ${JSON.stringify(impl.view())}`,
        );
      }
      report.skipped(bench.title, 'implementations disagree on the result (see below).');
      continue;
    }
    const rows = await measureInterleaved(bench.impls, plan, {
      allocation: (impl) => bytesPerOp(impl.run),
    });
    report.table(name, bench.title, rows);
  }

  report.finish();
}

await main();
