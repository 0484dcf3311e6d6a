// The events bench's arithmetic and tables, apart from the run so they can be tested on known
// inputs: which of the storm's children a listener saw, rates, CPU per 1,000 events, and the
// markdown tables with ratios.

/**
 * How many of `expected` (pids, repeated when the storm reused one) appear in `seen`, counted
 * as multisets: a pid forked twice and seen once counts once; a pid seen more often than the
 * storm made it (another process that got it later) counts no more than the storm made it.
 */
export function matchPids(expected, seen) {
  const remaining = new Map();
  for (const pid of seen) remaining.set(pid, (remaining.get(pid) ?? 0) + 1);
  let matched = 0;
  for (const pid of expected) {
    const left = remaining.get(pid) ?? 0;
    if (left > 0) {
      matched++;
      remaining.set(pid, left - 1);
    }
  }
  return matched;
}

/**
 * forkstat's parsed events → { forkPids (child lines), exitPids, execPids, total }. A fork or
 * clone is one kernel event that forkstat prints as two lines: `total` counts it once.
 */
export function forkstatPids(events) {
  const out = { forkPids: [], execPids: [], exitPids: [], total: 0 };
  for (const event of events) {
    if (event.role !== 'parent') out.total++;
    if (event.event === 'fork' && event.role === 'child') out.forkPids.push(event.pid);
    else if (event.event === 'exec') out.execPids.push(event.pid);
    else if (event.event === 'exit') out.exitPids.push(event.pid);
  }
  return out;
}

/**
 * One listener's row figures against the storm: `seen` is { forkPids, exitPids, execPids,
 * total }, `storm` { childPids, forks, seconds }, `cpuMs` the listener's CPU time over the run.
 * With `execs` (a storm whose children exec), the children's execs are storm events too.
 */
export function listenerFigures(seen, storm, cpuMs, { execs = false } = {}) {
  const forks = matchPids(storm.childPids, seen.forkPids);
  const exits = matchPids(storm.childPids, seen.exitPids);
  const execsSeen = execs ? matchPids(storm.childPids, seen.execPids) : 0;
  const expected = (execs ? 3 : 2) * storm.forks;
  const found = forks + exits + execsSeen;
  return {
    delivered: seen.total,
    perSecond: found / storm.seconds,
    stormForks: forks,
    stormExits: exits,
    ...(execs ? { stormExecs: execsSeen } : {}),
    stormMissed: expected - found,
    stormMissedShare: expected === 0 ? 0 : (expected - found) / expected,
    cpuMs,
    cpuMsPer1000: seen.total === 0 ? null : (cpuMs * 1000) / seen.total,
  };
}

const int = (n) => Math.round(n).toLocaleString('en-US');
const fixed = (n, digits = 2) => (n === null || n === undefined ? '—' : n.toFixed(digits));
const percent = (share) => `${(share * 100).toFixed(share < 0.001 && share > 0 ? 3 : 1)}%`;
const micros = (ns) => (ns === null || ns === undefined ? '—' : `${int(ns / 1000)} µs`);

/** "2.31x less" / "1.20x more": `ours` against `theirs` where less is better. */
export function lessBy(ours, theirs) {
  if (!(ours > 0) || !(theirs > 0)) return '—';
  return ours <= theirs
    ? `${(theirs / ours).toFixed(2)}x less`
    : `${(ours / theirs).toFixed(2)}x more`;
}

/**
 * The listeners table: `rows` are { name, figures, lossReports, delay } where delay is
 * { median, p99 } in ns or undefined; the first row is procmon's, the ratio column compares
 * each other row's CPU per 1,000 events with it.
 */
export function listenersTable(rows, storm) {
  const head = [
    '| listener | events delivered (all) | storm events/s delivered | storm forks seen | storm exits seen | storm events missed | loss reports | CPU ms | CPU ms per 1,000 events | procmon vs it (CPU per event) | delay median | delay p99 |',
    '|---|--:|--:|--:|--:|--:|---|--:|--:|---|--:|--:|',
  ];
  const ours = rows[0]?.figures?.cpuMsPer1000;
  const lines = rows.map(({ name, figures: f, lossReports, delay }, i) => {
    const ratio = i === 0 ? '—' : `procmon ${lessBy(ours, f.cpuMsPer1000)}`;
    return `| ${name} | ${int(f.delivered)} | ${int(f.perSecond)} | ${int(f.stormForks)} of ${int(storm.forks)} | ${int(f.stormExits)} of ${int(storm.forks)} | ${int(f.stormMissed)} (${percent(f.stormMissedShare)}) | ${lossReports} | ${fixed(f.cpuMs, 0)} | ${fixed(f.cpuMsPer1000)} | ${ratio} | ${micros(delay?.median)} | ${micros(delay?.p99)} |`;
  });
  return [...head, ...lines];
}

/**
 * The exec storm's table: `rows` as for listenersTable, each with `details` (what enrichment
 * read of the storm's execs, procmon only) or undefined.
 */
export function execTable(rows, storm) {
  const head = [
    "| listener | events delivered (all) | storm events/s delivered | storm execs seen | storm events missed (fork, exec, exit) | details of the storm's execs | loss reports | CPU ms | CPU ms per 1,000 events | procmon vs it (CPU per event) | delay median | delay p99 |",
    '|---|--:|--:|--:|--:|---|---|--:|--:|---|--:|--:|',
  ];
  const ours = rows[0]?.figures?.cpuMsPer1000;
  const lines = rows.map(({ name, figures: f, lossReports, delay, details }, i) => {
    const ratio = i === 0 ? '—' : `procmon ${lessBy(ours, f.cpuMsPer1000)}`;
    const read = details
      ? `${int(details.complete)} complete, ${int(details.partial)} partly gone, ${int(details.none)} none`
      : '—';
    return `| ${name} | ${int(f.delivered)} | ${int(f.perSecond)} | ${int(f.stormExecs)} of ${int(storm.forks)} | ${int(f.stormMissed)} (${percent(f.stormMissedShare)}) | ${read} | ${lossReports} | ${fixed(f.cpuMs, 0)} | ${fixed(f.cpuMsPer1000)} | ${ratio} | ${micros(delay?.median)} | ${micros(delay?.p99)} |`;
  });
  return [...head, ...lines];
}

/** The storm table: { name, forks, seconds } rows; the ratio column against the first. */
export function stormTable(rows) {
  const head = [
    '| storm | workers | forks | seconds | forks/s | vs alone |',
    '|---|--:|--:|--:|--:|---|',
  ];
  const base = rows[0] ? rows[0].forks / rows[0].seconds : 0;
  const lines = rows.map((row, i) => {
    const rate = row.forks / row.seconds;
    const ratio = i === 0 || !(base > 0) ? '—' : `${(rate / base).toFixed(2)}x`;
    return `| ${row.name} | ${row.workers} | ${int(row.forks)} | ${fixed(row.seconds)} | ${int(rate)} | ${ratio} |`;
  });
  return [...head, ...lines];
}
