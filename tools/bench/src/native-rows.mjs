// What every case of the native bench shares: rows timed in interleaved rounds, rows that could
// not run (the native backend absent), rows derived from others, psutil and C floor rows, and
// the consumers that read every field of a result.
import { spawnSync } from 'node:child_process';
import { measureInterleaved } from './interleaved.mjs';
import { timeFromSamples } from './io-harness.mjs';
import { runPsutilMode } from './process-children.mjs';
import { PYTHON } from './processes.mjs';

/**
 * Times the timed entries of `entries` in interleaved rounds and returns every entry as a table
 * row `{ key, name, ns, why, note }`, in the given order. An entry is a measureInterleaved impl
 * (with a `key`), `{ key, name, why }` (not measured: ns null), or `{ key, name, derive }`
 * (ns computed from the other rows' ns by key, after timing; null if one of them is missing).
 */
export async function measureRows(entries, plan, options) {
  const timed = entries.filter((e) => e.run || e.external);
  const measured = await measureInterleaved(timed, plan, { options });
  const ns = new Map(measured.map((row, i) => [timed[i].key, row.time.median]));
  const rows = [];
  for (const entry of entries) {
    const row = { key: entry.key, name: entry.name, note: entry.note, why: entry.why };
    if (entry.derive) {
      const value = entry.derive((key) => ns.get(key) ?? Number.NaN);
      row.ns = Number.isNaN(value) ? null : value;
      if (row.ns === null) row.why = 'a row it is computed from is missing';
      ns.set(entry.key, row.ns);
    } else {
      row.ns = ns.get(entry.key) ?? null;
    }
    rows.push(row);
  }
  return rows;
}

/**
 * One entry per procmon backend: `make(b)` gives the timed entry for a backend that loaded; a
 * backend that did not gets a row saying so.
 */
export function perBackend(backends, make, key = (b) => b.key) {
  return backends.map((b) => {
    // make() only builds closures: it may run with a missing backend, to name the row.
    const entry = make(b);
    if (b.procfs) return { key: key(b), ...entry };
    return {
      key: key(b),
      name: entry.name,
      why: 'native backend not available, see the backends line',
    };
  });
}

/** psutil timed in its own python3 (process-psutil.py), per call, interpreter startup not counted. */
export function psutilRow(mode, pid, plan, name, minSamples = 12) {
  return {
    key: 'psutil',
    name,
    external: true,
    time: async () => timeFromSamples(runPsutilMode(mode, pid, plan.minMs, minSamples).samples),
  };
}

let version;
export function psutilVersion() {
  version ??= spawnSync(PYTHON, ['-c', 'import psutil; print(psutil.__version__)'], {
    encoding: 'utf8',
  }).stdout.trim();
  return version;
}

/**
 * How many samples a row of slow calls (a scan, a 5,000-descriptor listing: 50 to 300 ms each)
 * takes at least, per round, instead of mitata's 12: the whole bench must stay under ~3 minutes.
 */
export const SLOW_MIN_SAMPLES = 5;
export const slowOptions = (plan) => ({ ...plan.options, min_samples: SLOW_MIN_SAMPLES });

export const eq = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Every key and value of an Environ (or of [key, value] pairs). */
export function consumeEnviron(environ) {
  let n = 0;
  for (const [key, value] of environ) n += key.length + value.length;
  return n;
}

export function consumeStrings(list) {
  let n = list.length;
  for (let i = 0; i < list.length; i++) n += list[i].length;
  return n;
}

export function consumeDetails(details) {
  let n = details.path.length + details.comm.length + details.cwd.length;
  n += consumeStrings(details.args);
  n += consumeEnviron(details.environ);
  return n;
}

export function consumeScan(rows) {
  let n = rows.length;
  for (const row of rows) {
    n += row.pid + row.ppid + row.comm.length + (row.path?.length ?? 0);
    if (row.args) n += consumeStrings(row.args);
  }
  return n;
}

/** The environment's `NAME=value\0` bytes as [name, value] pairs, in order. */
export function environPairs(bytes) {
  return new TextDecoder()
    .decode(bytes)
    .split('\0')
    .slice(0, -1)
    .map((entry) => {
      const at = entry.indexOf('=');
      return [entry.slice(0, at), entry.slice(at + 1)];
    });
}
