// Case 3 of the connection benchmark: a client that connects, sends a byte and exits at once,
// looked up when the bench accepts it, by procmon's tuple → holders and by the pieces joined by
// hand. Each row: how many of the runs named the client, why the others did not, and the median
// time of the lookup at accept.
import { matchQuery } from './net-load.mjs';
import { fdWalk, ownersApi, procmonApi, socketInodesOf } from './net-procmon.mjs';
import { shortLivedClients } from './net-short.mjs';

function countsText({ counts }, runs) {
  const attributed = counts.get('attributed') ?? 0;
  const others = [...counts].filter(([k]) => k !== 'attributed').map(([k, n]) => `${n} ${k}`);
  return `attributed ${attributed}/${runs}${others.length ? `; not: ${others.join('; ')}` : ''}`;
}

export async function shortCase({ backends, resolver, quick }) {
  const runs = quick ? 20 : 100;
  const procfs = backends.find((b) => b.procfs).procfs;
  const title = `3. A client that connects, sends a byte and exits at once (python3), looked up at accept: ${runs} runs per row (time: median of the lookups)`;
  const rows = [];
  const api = procmonApi();
  const owners = ownersApi(resolver);
  const procmonName = `procmon tuple → holders: ${owners.how ?? '`find` + `index.holders(inode, { uid })`'}, one index kept across runs`;
  if (owners.why || api.newIndex.why)
    rows.push({ key: 'procmon', name: procmonName, why: owners.why ?? api.newIndex.why });
  else {
    const index = api.newIndex.call(procfs);
    const result = await shortLivedClients(runs, (query) => {
      const { socket, lookup } = owners.call(query, index);
      return { socket, holders: lookup?.holders ?? [], reason: lookup?.reason };
    });
    rows.push({
      key: 'procmon',
      name: procmonName,
      ns: result.medianNs,
      note: countsText(result, runs),
    });
  }
  const byHand = await shortLivedClients(runs, (query) => {
    const socket = matchQuery(resolver.list({ tables: ['tcp'] }), query);
    if (!socket || socket.inode === 0) return { socket };
    return {
      socket,
      holders: fdWalk(procfs, procfs.listPids(), socket.inode),
      reason: 'no fd link found',
    };
  });
  rows.push({
    key: 'hand',
    name: "by hand: `list({ tables: ['tcp'] })` + filter, then `listFds` of every pid",
    ns: byHand.medianNs,
    note: countsText(byHand, runs),
  });
  // What any method could do at best: whether the client still held a socket when accepted.
  const bound = await shortLivedClients(runs, (_query, pid) => {
    // No socket left in its fd table: counted as the client end gone at lookup.
    if (socketInodesOf(procfs, pid).length === 0) return { socket: undefined };
    return { socket: { inode: 1, state: 'held' }, holders: [{ pid }] };
  });
  rows.push({
    key: 'bound',
    name: "upper bound: the client's own fd table read at accept (its pid known), any socket left",
    ns: bound.medianNs,
    note: `info: ${countsText(bound, runs).replace('attributed', 'still holding a socket')}`,
  });
  return { name: 'short-lived client', title, rows };
}
