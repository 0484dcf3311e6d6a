// Case 2 of the connection benchmark: one connection by its tuple (a client end of the holder's,
// picked at random each call), to its socket and then to the processes holding it.

import { measureRows, slowOptions } from './native-rows.mjs';
import { CLIENTS, clientQueries, matchQuery } from './net-load.mjs';
import { findApi, ownerReader, ownersApi, procmonApi, uidFdWalk } from './net-procmon.mjs';
import { speedText, under, within } from './net-table.mjs';

const TCP = { tables: ['tcp'] };

/**
 * A timed entry for `run`, unless `check()` (one untimed call's verdict: a problem text, or
 * undefined) finds it wrong, or `api.why` says it cannot be called: then a row saying why.
 */
function entry(key, name, api, check, run, note) {
  if (api?.why) return { key, name, why: api.why };
  const wrong = check();
  if (wrong) return { key, name, why: `wrong answer: ${wrong}` };
  return { key, name, run, note };
}

/** Whether an owners result names the holder's pid; a problem text when not. */
function holderProblem(result, pid) {
  const holders = result.lookup?.holders ?? [];
  if (holders.some((h) => h.pid === pid)) return undefined;
  return `holders ${JSON.stringify(holders.map((h) => h.pid))}, searched ${result.lookup?.searched}, reason ${result.lookup?.reason}`;
}

export async function lookupCase({ backends, resolver, load, plan }) {
  const name = 'lookup by tuple';
  const backend = backends.find((b) => b.procfs);
  const procfs = backend.procfs;
  const pid = load.holder.pid;
  const title = `2. One connection by its 4-tuple (one of the ${CLIENTS.toLocaleString('en-US')} client ends, at random each call) → socket → holders; fds read with the ${backend.label} procfs backend`;
  const tcp = resolver.list(TCP);
  const queries = clientQueries(tcp, load.holder.port);
  if (queries.length !== CLIENTS)
    return { name, title, problems: [`the tcp listing shows ${queries.length} client ends`] };
  const truth = queries.map((q) => matchQuery(tcp, q));
  const uid = truth[0].uid;
  let at = 0;
  const pick = () => {
    at = (Math.random() * queries.length) | 0;
    return queries[at];
  };
  const api = procmonApi();
  const find = findApi(resolver);
  const owners = ownersApi(resolver);
  const ownersAll = ownersApi(resolver, { uidNarrowing: false });
  const newIndex = () => api.newIndex.call(procfs);
  const warmIndex = api.newIndex.why ? undefined : newIndex();
  if (warmIndex && !owners.why) {
    // One full walk when the index offers it, then every client looked up once (hits by then).
    if (typeof warmIndex.holdersOf === 'function') warmIndex.holdersOf(truth.map((e) => e.inode));
    for (const q of queries) owners.call(q, warmIndex);
  }
  const ownersWhy = owners.why ?? api.newIndex.why;

  const entries = [
    entry(
      'find',
      'netsock `resolver.find(tuple)` alone (exact sock_diag lookup)',
      find,
      () => {
        const got = find.call(queries[0]);
        return got?.inode === truth[0].inode
          ? undefined
          : `inode ${got?.inode}, not ${truth[0].inode}`;
      },
      () => find.call(pick())?.inode ?? 0,
    ),
    entry(
      'list',
      "netsock `resolver.list({ tables: ['tcp'] })` + filter by tuple",
      undefined,
      () => undefined,
      () => matchQuery(resolver.list(TCP), pick())?.inode ?? 0,
      'the way without `find`: a dump of every TCP socket',
    ),
    entry(
      'warm',
      `tuple → holders, index warm: ${owners.how ?? '`find` + `index.holders(inode, { uid })`'}`,
      { why: ownersWhy },
      () => holderProblem(owners.call(queries[0], warmIndex), pid),
      () => owners.call(pick(), warmIndex).lookup.holders.length,
    ),
    entry(
      'cold-uid',
      `tuple → holders, index cold (a new index each call), uid narrowing: ${owners.how ?? '`find` + `index.holders(inode, { uid })`'}`,
      { why: ownersWhy },
      () => holderProblem(owners.call(queries[0], newIndex()), pid),
      () => owners.call(pick(), newIndex()).lookup.holders.length,
    ),
    entry(
      'cold-all',
      `tuple → holders, index cold, no uid (a full walk of every process): ${ownersAll.how ?? '`find` + `index.holders(inode)`'}`,
      { why: ownersAll.why ?? api.newIndex.why },
      () => holderProblem(ownersAll.call(queries[0], newIndex()), pid),
      () => ownersAll.call(pick(), newIndex()).lookup.holders.length,
    ),
    entry(
      'uid-walk',
      `the fd walk of uid ${uid}'s processes alone (pid list, owner of each /proc/<pid> by ${ownerReader(procfs).name}, \`listFds\` of each)`,
      undefined,
      () => {
        const found = uidFdWalk(procfs, uid, truth[0].inode);
        return found.some((h) => h.pid === pid) ? undefined : `holders ${JSON.stringify(found)}`;
      },
      () => {
        pick();
        return uidFdWalk(procfs, uid, truth[at].inode).length;
      },
      "the issue's reference for a cold lookup",
    ),
  ];
  const rows = await measureRows(entries, plan, slowOptions(plan));
  const ns = new Map(rows.map((r) => [r.key, r.ns]));
  const gain =
    ns.get('cold-uid') != null && ns.get('cold-all') != null
      ? `uid narrowing: the cold lookup is ${speedText(ns.get('cold-uid'), ns.get('cold-all'))} than the full walk`
      : 'uid narrowing gain: not measured (a cold row is missing)';
  const findGain =
    ns.get('find') != null
      ? `\`find\` is ${speedText(ns.get('find'), ns.get('list'))} than \`list()\` + filter`
      : '`find` vs `list()` + filter: not measured (`find` is missing)';
  return {
    name,
    title,
    rows,
    refs: [{ key: 'warm', label: 'warm lookup' }],
    targets: [
      under(100e3, 'warm lookup < 100 µs', 'warm'),
      within(1.3, 'cold lookup (uid) within 1.3x of the uid fd walk', 'cold-uid', 'uid-walk'),
    ],
    extra: [
      '',
      `- ${gain}; ${findGain}.`,
      `- the bench runs as uid ${process.getuid()}; the holder's sockets belong to uid ${uid}, so the uid narrowing walks that uid's processes (as root: nearly all of them).`,
    ],
  };
}
