// The short-lived client measure: how a lookup's result is counted, and (live) that the query made
// at accept is the client end's tuple: reversed, it is the server end the bench holds.
import { SocketResolver } from '@procmon/netsock';
import { afterAll, describe, expect, it } from 'vitest';
import { matchQuery } from '../src/net-load.mjs';
import { outcomeOf, shortLivedClients } from '../src/net-short.mjs';

describe('outcomeOf', () => {
  const socket = { inode: 9, state: 'ESTABLISHED' };
  it('names the client, or says why not', () => {
    expect(outcomeOf({ socket, holders: [{ pid: 4 }, { pid: 7 }] }, 7)).toBe('attributed');
    expect(outcomeOf({ socket: undefined }, 7)).toBe(
      'no socket: the client end was gone at lookup',
    );
    expect(outcomeOf({ socket: { inode: 0, state: 'FIN_WAIT1' } }, 7)).toBe(
      'no inode: the client end was already FIN_WAIT1',
    );
    expect(outcomeOf({ socket, holders: [{ pid: 4 }] }, 7)).toBe(
      'WRONG: holders that are not the client',
    );
    expect(outcomeOf({ socket, holders: [], reason: 'no-visible-holder' }, 7)).toBe(
      'no holder (no-visible-holder)',
    );
  });
});

describe('shortLivedClients (live)', () => {
  const resolver = new SocketResolver();
  afterAll(() => resolver.close());

  it('looks up each client by its own side of the connection, once per run', async () => {
    const serverEnds: (string | undefined)[] = [];
    const runs = 3;
    const pids = new Set<number>();
    const result = await shortLivedClients(
      runs,
      (query: Record<string, string | number>, pid: number) => {
        pids.add(pid);
        // The server end is ours until the lookup returns: the query reversed must find it.
        const server = matchQuery(resolver.list({ tables: ['tcp'] }), {
          localAddress: query.remoteAddress,
          localPort: query.remotePort,
          remoteAddress: query.localAddress,
          remotePort: query.localPort,
        });
        serverEnds.push(server?.state);
        return { socket: undefined };
      },
    );
    expect(serverEnds).toHaveLength(runs);
    // One client process per run, each named to the lookup.
    expect(pids.size).toBe(runs);
    for (const state of serverEnds) expect(['ESTABLISHED', 'CLOSE_WAIT']).toContain(state);
    expect([...result.counts]).toEqual([['no socket: the client end was gone at lookup', runs]]);
  });
});
