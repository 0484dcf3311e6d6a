// @procmon/hash against openssl, coreutils and a plain Node loop on the same 256 MiB file, and
// process checksums of 200 processes running one binary, in one run.
// Usage: node --expose-gc src/hash.bench.mjs [--quick] [case ...]
//   (cases: sha1 md5 sha256 multi processes)
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBenchArgs } from './bench-args.mjs';
import { fasterBy, oursWithin } from './harness.mjs';
import {
  copySleep,
  makeFolder,
  makeRandomFile,
  removeFolder,
  runCommand,
  startHerd,
  stopHerd,
  versionOf,
} from './hash-inputs.mjs';
import { plainHashFile } from './hash-plain.mjs';
import { measureInterleaved } from './interleaved.mjs';
import { bytesPerCall, timeFromSamples } from './io-harness.mjs';
import { printHeading, Report } from './report.mjs';

const SINGLE = ['sha1', 'md5', 'sha256'];
const MULTI = ['md5', 'sha1', 'sha256'];
const CASES = [...SINGLE, 'multi', 'processes'];
const FILE_MIB = 256;
const FILE_BYTES = FILE_MIB * 1024 * 1024;
const HERD = 200;
const OPENSSL_TARGET = 1.25;
const HERD_TARGET = 2;

const { quick, plan, wanted } = readBenchArgs(CASES);
// Whole-command rows: one untimed run first (it checks the digests and warms the binaries), then
// this many timed runs, taking turns row by row; the median counts.
const RUNS = quick ? 3 : 5;

const cli = fileURLToPath(new URL('hash-cli.mjs', import.meta.url));
const node = process.execPath;

const EXPORTS = [
  'hashFile',
  'hashFileAsync',
  'checkAlgorithms',
  'processChecksum',
  'ChecksumCache',
];

/** @procmon/hash, or why it cannot be used. */
async function loadOurs() {
  let hash;
  try {
    hash = await import('@procmon/hash');
  } catch (error) {
    return {
      problem: `cannot import @procmon/hash (build it: pnpm turbo run build --filter=@procmon/hash...): ${error.message}`,
    };
  }
  const missing = EXPORTS.filter((name) => typeof hash[name] !== 'function');
  if (missing.length > 0)
    return { problem: `@procmon/hash does not export ${missing.join(', ')} (yet)` };
  return { hash };
}

// --- whole-command rows -------------------------------------------------------------------------

/** `NAME(file)= hex` (openssl dgst) or `hex  file` (coreutils): the hex digests, in order. */
const opensslDigests = (stdout) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => /= *([0-9a-f]+)$/.exec(line)?.[1] ?? `unparsed: ${line}`);
const coreutilsDigest = (stdout) => stdout.trim().split(/\s+/)[0];
/** hash-cli.mjs prints `algo hex` lines. */
function cliDigests(stdout) {
  const checksums = {};
  for (const line of stdout.trim().split('\n')) {
    const [algo, hex] = line.split(' ');
    checksums[algo] = hex;
  }
  return checksums;
}
const zip = (algorithms, hexes) => Object.fromEntries(algorithms.map((a, i) => [a, hexes[i]]));

/** A row timed as one or more whole commands run one after another (their times added). */
function commandRow(name, commands, digests, extra = {}) {
  return {
    name,
    ...extra,
    exec() {
      let ns = 0;
      const outputs = [];
      for (const [file, cmdArgs] of commands) {
        const run = runCommand(file, cmdArgs);
        ns += run.ns;
        outputs.push(run.stdout);
      }
      return { ns, checksums: digests ? digests(outputs) : null };
    },
  };
}

/** A row timed in this process: one call per run (no startup). */
function inlineRow(name, call, extra = {}) {
  return {
    name,
    ...extra,
    exec() {
      const start = process.hrtime.bigint();
      const checksums = call();
      return { ns: Number(process.hrtime.bigint() - start), checksums };
    },
  };
}

const sameChecksums = (a, b, algorithms) => algorithms.every((x) => a[x] === b[x]);
const show = (checksums, algorithms) =>
  algorithms.map((a) => `${a} ${checksums?.[a] ?? '(none)'}`).join(', ');

/**
 * Runs every row once (untimed) and checks each prints the reference digests, then times RUNS
 * runs, the rows taking turns run by run. Returns the rows with `time`, or the problems.
 */
function measureRows(rows, algorithms, reference) {
  const problems = [];
  const check = (row, checksums) => {
    if (checksums === null) return;
    if (!sameChecksums(checksums, reference, algorithms))
      problems.push(
        `${row.name} printed ${show(checksums, algorithms)}, not ${show(reference, algorithms)}`,
      );
  };
  for (const row of rows) check(row, row.exec().checksums);
  if (problems.length > 0) return { problems };
  const samples = rows.map(() => []);
  for (let run = 0; run < RUNS; run++) {
    for (const [i, row] of rows.entries()) {
      const { ns, checksums } = row.exec();
      check(row, checksums);
      samples[i].push(ns);
    }
  }
  if (problems.length > 0) return { problems: [...new Set(problems)] };
  return {
    rows: rows.map((row, i) => ({ ...row, time: timeFromSamples(samples[i]), bytes: null })),
  };
}

const ms = (ns) => `${(ns / 1e6).toFixed(1)} ms`;
const mibPerS = (ns) => `${Math.round(FILE_MIB / (ns / 1e9)).toLocaleString('en-US')} MiB/s`;

/**
 * A target of one row against another row that is not row 0 (ours' other call style against a
 * third row): written into the row's note, a miss added to `missed`.
 */
function sideTarget(caseName, row, against, target, missed) {
  const ratio = against.time.median / row.time.median;
  const met = target.met(ratio);
  row.note = `target ${target.text} than \`${against.short}\`: ${met ? 'met' : 'MISSED'}`;
  if (!met)
    missed.push(`${caseName}: ${target.missed(ratio, against.short).replace(/^ours/, row.short)}`);
}

function singleCase(hash, file, algo) {
  const tool = `${algo}sum`;
  const rows = [
    commandRow(
      `ours: \`node hash-cli.mjs\` → \`hashFile(file, ['${algo}'])\` (whole process)`,
      [[node, [cli, 'ours', file, algo]]],
      ([out]) => cliDigests(out),
      { kind: 'hash' },
    ),
    commandRow(
      `\`openssl dgst -${algo} file\` (whole process)`,
      [['openssl', ['dgst', `-${algo}`, file]]],
      ([out]) => zip([algo], opensslDigests(out)),
      { kind: 'hash', target: oursWithin(OPENSSL_TARGET) },
    ),
    commandRow(
      `\`${tool} file\` (coreutils, whole process)`,
      [[tool, [file]]],
      ([out]) => zip([algo], [coreutilsDigest(out)]),
      { kind: 'hash', target: fasterBy(1) },
    ),
    commandRow(
      '`node`, plain loop: `readSync` 1 MiB chunks + `hash.update` (whole process)',
      [[node, [cli, 'plain', file, algo]]],
      ([out]) => cliDigests(out),
      { kind: 'hash', note: 'info: reference' },
    ),
    commandRow(
      "`node` startup + `import('@procmon/hash')`, no hashing (whole process)",
      [[node, [cli, 'import', file, algo]]],
      null,
      { note: 'info: the fixed cost inside the ours row' },
    ),
    inlineRow(
      `ours in this process: \`hashFile(file, ['${algo}'])\``,
      () => hash.hashFile(file, [algo]),
      { kind: 'hash', note: 'info: no process startup' },
    ),
    inlineRow('plain loop in this process', () => plainHashFile(file, [algo]), {
      kind: 'hash',
      note: 'info: no process startup',
    }),
  ];
  const reference = plainHashFile(file, [algo]);
  const title = `${algo} of a ${FILE_MIB} MiB file (random content, page cache warm): ours vs \`openssl dgst -${algo}\` vs \`${tool}\``;
  const result = measureRows(rows, [algo], reference);
  if (result.problems) return { name: algo, title, problems: result.problems };
  const throughput = result.rows
    .filter((row) => row.kind === 'hash')
    .map((row) => `${row.name.split(':')[0].replace(/ \(.*$/, '')} ${mibPerS(row.time.median)}`);
  const startup = result.rows[4].time.median;
  const ours = result.rows[0].time.median;
  const extra = [
    '',
    `digest (all rows agree): ${reference[algo]}.`,
    `throughput (${FILE_MIB} MiB over the median, startup included where the row is a whole process): ${throughput.join('; ')}.`,
    `of ours' ${ms(ours)}, ${ms(startup)} is \`node\` starting and loading @procmon/hash.`,
  ];
  return { name: algo, title, rows: result.rows, extra };
}

function multiCase(hash, file, missed) {
  const list = MULTI.map((a) => `'${a}'`).join(', ');
  const openssl = (a) => ['openssl', ['dgst', `-${a}`, file]];
  const script = MULTI.map((a) => `openssl dgst -${a} "$0"`).join('; ');
  const rows = [
    commandRow(
      `ours: \`node hash-cli.mjs\` → \`hashFile(file, [${list}])\`, one pass (whole process)`,
      [[node, [cli, 'ours', file, ...MULTI]]],
      ([out]) => cliDigests(out),
      { short: 'ours sync' },
    ),
    commandRow(
      `ours async: \`node hash-cli.mjs\` → \`await hashFileAsync(file, [${list}])\` (whole process)`,
      [[node, [cli, 'ours-async', file, ...MULTI]]],
      ([out]) => cliDigests(out),
      { short: 'ours async' },
    ),
    commandRow(
      `\`sh -c '${script.replaceAll('"$0"', 'file')}'\` (timed whole)`,
      [['sh', ['-c', script, file]]],
      ([out]) => zip(MULTI, opensslDigests(out)),
      { short: 'sh -c openssl ×3', target: fasterBy(1) },
    ),
    commandRow(
      '`openssl dgst` -md5, then -sha1, then -sha256: three whole processes, times added',
      MULTI.map(openssl),
      (outs) => zip(MULTI, outs.flatMap(opensslDigests)),
      { note: 'info: the same without `sh`' },
    ),
    commandRow(
      '`node`, plain loop: 1 MiB chunks, each fed to three hashes (whole process)',
      [[node, [cli, 'plain', file, ...MULTI]]],
      ([out]) => cliDigests(out),
      { note: 'info: reference' },
    ),
    inlineRow(
      `ours in this process: \`hashFile(file, [${list}])\``,
      () => hash.hashFile(file, MULTI),
      { note: 'info: no process startup' },
    ),
  ];
  const reference = plainHashFile(file, MULTI);
  const title = `md5 + sha1 + sha256 of the ${FILE_MIB} MiB file: ours in one call vs \`openssl dgst\` three times`;
  const result = measureRows(rows, MULTI, reference);
  if (result.problems) return { name: 'multi', title, problems: result.problems };
  sideTarget('multi', result.rows[1], result.rows[2], fasterBy(1), missed);
  const extra = [
    '',
    `digests (all rows agree): ${show(reference, MULTI)}.`,
    `throughput: ours ${mibPerS(result.rows[0].time.median)}, ours async ${mibPerS(result.rows[1].time.median)}, openssl ×3 (sh -c) ${mibPerS(result.rows[2].time.median)} of file per three digests.`,
  ];
  return { name: 'multi', title, rows: result.rows, extra };
}

// --- 200 processes running one binary ------------------------------------------------------------

async function processesCase(hash, binary, herd) {
  const pids = herd.map((child) => child.pid);
  const size = statSync(binary).size;
  const expected = plainHashFile(binary, ['sha256']).sha256;
  const title = `sha256 of ${HERD} processes running one binary (a copy of \`sleep\`, ${size.toLocaleString('en-US')} B): cached process checksums vs hashing the binary once`;

  // Correctness first: every process's checksum is the binary's, found through exe.
  const problems = [];
  const cache = new hash.ChecksumCache();
  for (const pid of pids) {
    const result = hash.processChecksum(pid, ['sha256'], { cache });
    if (result.checksums.sha256 !== expected)
      problems.push(`processChecksum(${pid}) gave ${result.checksums.sha256}, not ${expected}`);
    if (result.source !== 'exe' || result.path !== binary || result.deleted)
      problems.push(
        `processChecksum(${pid}): source ${result.source}, path ${result.path}, deleted ${result.deleted} (expected exe, ${binary}, false)`,
      );
  }
  const once = hash.hashFile(binary, ['sha256']).sha256;
  if (once !== expected) problems.push(`hashFile(binary) gave ${once}, not ${expected}`);
  if (problems.length > 0) return { name: 'processes', title, problems: problems.slice(0, 5) };
  const firstRound = `one round's cache: ${cache.hits} hits, ${cache.misses} misses, ${cache.size} entries`;

  const impls = [
    {
      name: `ours: ${HERD} × \`processChecksum(pid, ['sha256'], { cache })\`, a fresh \`ChecksumCache\` per op`,
      run: () => {
        const fresh = new hash.ChecksumCache();
        let n = 0;
        for (const pid of pids)
          n += hash.processChecksum(pid, ['sha256'], { cache: fresh }).path.length;
        return n;
      },
      calls: 16,
    },
    {
      name: "`hashFile(binary, ['sha256'])` once",
      target: oursWithin(HERD_TARGET),
      run: () => hash.hashFile(binary, ['sha256']).sha256.length,
      calls: 256,
    },
    {
      name: `${HERD} × \`processChecksum(pid, ['sha256'])\`, no cache`,
      note: 'info: every process hashed',
      run: () => {
        let n = 0;
        for (const pid of pids) n += hash.processChecksum(pid, ['sha256']).path.length;
        return n;
      },
      calls: 4,
    },
    {
      name: `floor: ${HERD} × \`statSync('/proc/<pid>/exe')\``,
      note: 'info: one stat per process, the least a cache lookup needs',
      run: () => {
        let n = 0;
        for (const pid of pids) n += statSync(`/proc/${pid}/exe`).size;
        return n;
      },
      calls: 16,
    },
  ];
  const rows = await measureInterleaved(impls, plan, {
    allocation: (impl) => bytesPerCall(impl.run, { calls: impl.calls }),
  });
  const floor = rows[3].time.median / rows[1].time.median;
  const extra = [
    '',
    `pids ${Math.min(...pids)}..${Math.max(...pids)}; ${firstRound}; sha256 ${expected}.`,
    `per process: ours ${(rows[0].time.median / HERD / 1e3).toFixed(2)} µs cached, ${(rows[2].time.median / HERD / 1e3).toFixed(2)} µs uncached; the floor (${HERD} stats) alone takes ${floor.toFixed(2)}x the time of hashing once${floor > HERD_TARGET ? `: the ≤${HERD_TARGET}x target is out of reach of anything that looks at each process` : ''}.`,
  ];
  return { name: 'processes', title, rows, extra };
}

async function main() {
  printHeading('@procmon/hash benchmarks');
  console.log(
    `${versionOf('openssl', ['version'])}; ${versionOf('sha256sum')}; ${versionOf('sh', ['-c', 'readlink -f /bin/sh'])}`,
  );
  console.log(
    `Whole-process rows: each command is run once untimed (its digests checked, binaries and page cache warm), then ${RUNS} times, the rows taking turns run by run, each run timed whole around \`spawnSync\` (spawn, startup, hashing, exit); ns/op is the median run, bytes/op \`—\` (another process). In-process rows: one call per run, same turns. The ${HERD}-process case uses the harness's mitata timing (${plan.rounds} interleaved round(s), best round) and allocation windows.\n`,
  );
  const report = new Report();

  const ours = await loadOurs();
  if (ours.problem) {
    report.problem(ours.problem);
    report.finish();
    return;
  }
  const { hash } = ours;
  const folder = makeFolder();
  try {
    if ([...SINGLE, 'multi'].some(wanted)) {
      const file = path.join(folder, `random-${FILE_MIB}MiB.bin`);
      const started = Date.now();
      makeRandomFile(file, FILE_BYTES);
      console.log(
        `file: ${file}, ${FILE_MIB} MiB of random bytes, written, fsync'ed and read once in ${Date.now() - started} ms. Targets: ours within ${OPENSSL_TARGET}x of openssl's time (≥${(1 / OPENSSL_TARGET).toFixed(1)}x its throughput) and faster than coreutils; md5+sha1+sha256 in one call faster than three openssl runs.\n`,
      );
      // A command that fails (exits non-zero, is not installed) skips its case, not the run.
      const attempt = (name, run) => {
        try {
          report.case(run());
        } catch (error) {
          report.problem(`${name}: ${error.message}`);
          report.skipped(name, error.message);
        }
      };
      for (const algo of SINGLE)
        if (wanted(algo)) attempt(algo, () => singleCase(hash, file, algo));
      if (wanted('multi')) attempt('multi', () => multiCase(hash, file, report.missed));
      removeFolder(folder);
    }
    if (wanted('processes')) {
      const binFolder = makeFolder();
      let herd = [];
      try {
        const { source, copy } = copySleep(binFolder);
        const started = Date.now();
        herd = await startHerd(copy, HERD);
        console.log(
          `${HERD} processes: \`${copy} 1000\` (a copy of ${source}), started in ${Date.now() - started} ms. Target: all ${HERD} checksums within ${HERD_TARGET}x of hashing the binary once.\n`,
        );
        report.case(await processesCase(hash, copy, herd));
      } catch (error) {
        report.problem(`processes: ${error.message}`);
      } finally {
        await stopHerd(herd);
        removeFolder(binFolder);
      }
    }
  } finally {
    removeFolder(folder);
  }
  report.finish();
}

await main();
