// The procmon side of the connection bench: calls looked up on the module (a missing export is a
// reason, not an error), tuple → holders composed from find + index when connectionOwners is
// absent, and the hand-joined listing and uid fd walk checked against a python3 child whose
// listener fd and pid are known.
import { type ChildProcess, spawn } from 'node:child_process';
import { SocketResolver } from '@procmon/netsock';
import { ProcFS } from '@procmon/procfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientQueries, matchQuery } from '../src/net-load.mjs';
import {
  findApi,
  handJoined,
  ownerReader,
  ownersApi,
  procmonApi,
  uidFdWalk,
} from '../src/net-procmon.mjs';
import { PYTHON } from '../src/processes.mjs';

describe('procmonApi', () => {
  it('gives a reason for every call a module does not export', () => {
    const api = procmonApi({});
    expect(api.connections.why).toBe('@procmon/process exports no `connections` on this branch');
    expect(api.connectionsAsync.why).toMatch(/`connectionsAsync`/);
    expect(api.newIndex.why).toMatch(/`SocketHolderIndex`/);
  });

  it("calls connections with ss's tables, the procfs and the resolver", () => {
    const seen: unknown[] = [];
    class SocketHolderIndex {
      constructor(readonly options: unknown) {}
    }
    const api = procmonApi({
      connections: (options: unknown) => seen.push(options),
      connectionsAsync: async (options: unknown) => seen.push(options),
      SocketHolderIndex,
    });
    api.connections.call('P', 'R');
    expect(seen).toEqual([{ tables: ['tcp', 'udp'], procfs: 'P', resolver: 'R' }]);
    expect(api.newIndex.call('P').options).toEqual({ procfs: 'P' });
  });
});

describe('ownersApi', () => {
  const socket = { inode: 77, uid: 1000, state: 'ESTABLISHED' };
  const query = {
    protocol: 'tcp',
    localAddress: '127.0.0.1',
    localPort: 1,
    remoteAddress: '127.0.0.1',
    remotePort: 2,
  };
  const index = {
    asked: [] as unknown[],
    holders(inode: number, options?: unknown) {
      this.asked.push([inode, options]);
      return { inode, holders: [{ pid: 5 }], searched: 'uid' };
    },
  };
  const mod = { SocketHolderIndex: class {} };

  it('says find is missing when the resolver has none', () => {
    expect(findApi({}).why).toBe(
      '@procmon/netsock exports no `SocketResolver.find` on this branch',
    );
    expect(ownersApi({}, {}, mod).why).toMatch(/SocketResolver\.find/);
    expect(ownersApi({ find: () => socket }, {}, {}).why).toMatch(/SocketHolderIndex/);
  });

  it('composes find and index.holders, with the uid or without', () => {
    index.asked.length = 0;
    const resolver = { find: (q: unknown) => (q === query ? socket : undefined) };
    const narrowed = ownersApi(resolver, {}, mod).call(query, index);
    expect(narrowed).toEqual({
      socket,
      lookup: { inode: 77, holders: [{ pid: 5 }], searched: 'uid' },
    });
    expect(ownersApi(resolver, {}, mod).how).toBe('`find` + `index.holders(inode, { uid })`');
    const full = ownersApi(resolver, { uidNarrowing: false }, mod);
    expect(full.how).toBe('`find` + `index.holders(inode)`');
    full.call(query, index);
    expect(index.asked).toEqual([
      [77, { uid: 1000 }],
      [77, undefined],
    ]);
    expect(ownersApi(resolver, {}, mod).call({ ...query }, index)).toEqual({
      socket: undefined,
      lookup: undefined,
    });
  });

  it('uses connectionOwners when the module exports it', () => {
    const calls: unknown[] = [];
    const owners = ownersApi(
      {},
      {},
      {
        connectionOwners: (q: unknown, options: unknown) => {
          calls.push([q, options]);
          return { socket, lookup: { holders: [] } };
        },
      },
    );
    expect(owners.how).toBe('`connectionOwners(tuple, { index, resolver })`');
    expect(owners.call(query, index)).toEqual({ socket, lookup: { holders: [] } });
    expect(calls).toEqual([[query, { index, resolver: {} }]]);
  });
});

describe('ownerReader', () => {
  it("uses procfs's statProcess flow when there is one, else node:fs", () => {
    const ran: unknown[] = [];
    const withFlow = ownerReader({
      flows: { statProcess: (pid: number) => ({ flowOf: pid }) },
      run: (flow: unknown) => {
        ran.push(flow);
        return { uid: 4242 };
      },
    });
    expect(withFlow.name).toBe('procfs `statProcess`');
    expect(withFlow.uidOf(17)).toBe(4242);
    expect(ran).toEqual([{ flowOf: 17 }]);
    const withFs = ownerReader(new ProcFS());
    expect(withFs.uidOf(process.pid)).toBe(process.getuid?.());
  });
});

describe('matchQuery and clientQueries', () => {
  const entries = [
    {
      state: 'LISTEN',
      localAddress: '127.0.0.1',
      localPort: 9000,
      remoteAddress: '0.0.0.0',
      remotePort: 0,
      inode: 1,
    },
    {
      state: 'ESTABLISHED',
      localAddress: '127.0.0.1',
      localPort: 9000,
      remoteAddress: '127.0.0.1',
      remotePort: 40001,
      inode: 2,
    },
    {
      state: 'ESTABLISHED',
      localAddress: '127.0.0.1',
      localPort: 40001,
      remoteAddress: '127.0.0.1',
      remotePort: 9000,
      inode: 3,
    },
    {
      state: 'TIME_WAIT',
      localAddress: '127.0.0.1',
      localPort: 40002,
      remoteAddress: '127.0.0.1',
      remotePort: 9000,
      inode: 0,
    },
  ];

  it('keeps the established client ends only, and finds each by its tuple', () => {
    const queries = clientQueries(entries, 9000);
    expect(queries).toEqual([
      {
        protocol: 'tcp',
        localAddress: '127.0.0.1',
        localPort: 40001,
        remoteAddress: '127.0.0.1',
        remotePort: 9000,
      },
    ]);
    expect(matchQuery(entries, queries[0])?.inode).toBe(3);
    expect(matchQuery(entries, { ...queries[0], localPort: 40003 })).toBeUndefined();
  });
});

describe('handJoined and uidFdWalk (live)', () => {
  let child: ChildProcess;
  let fd: number;
  let port: number;
  const procfs = new ProcFS();
  const resolver = new SocketResolver();

  beforeAll(async () => {
    const script = `import socket, sys
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)
print(s.fileno(), s.getsockname()[1], flush=True)
sys.stdin.read()`;
    child = spawn(PYTHON, ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('\n')) resolve(out);
      });
    });
    [fd, port] = line.trim().split(' ').map(Number);
  });

  afterAll(() => {
    child.kill('SIGKILL');
    resolver.close();
  });

  it("finds the child's listener with its pid and fd", () => {
    const joined = handJoined(procfs, resolver, ['tcp']);
    const listener = joined.find((c) => c.socket.localPort === port && c.socket.state === 'LISTEN');
    expect(listener?.holders).toEqual([{ pid: child.pid, fd }]);
    const walk = uidFdWalk(procfs, process.getuid?.() ?? 0, listener?.socket.inode ?? -1);
    expect(walk).toEqual([{ pid: child.pid, fd }]);
  });

  it('finds nothing for a uid with no processes', () => {
    const listener = matchQuery(resolver.list({ tables: ['tcp'] }), {
      localAddress: '127.0.0.1',
      localPort: port,
      remoteAddress: '0.0.0.0',
      remotePort: 0,
    });
    expect(listener?.state).toBe('LISTEN');
    expect(uidFdWalk(procfs, 4_000_000_000, listener?.inode ?? -1)).toEqual([]);
  });
});
