// A process in another network namespace (`unshare -n`, as containers and `ip netns exec` do):
// its sockets are resolved in its own namespace, through a netlink socket opened there (setns on
// a native thread) or, without CAP_SYS_ADMIN, from /proc/<pid>/net. Needs root to create the
// namespace: skipped otherwise, unless CI is set (then it must run).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { canUnshare, cleanup, type HeldSocket, type Holder, startHolder } from '../test/helpers.js';
import { netsockBackend } from './backend.js';
import { SocketResolver } from './resolver.js';
import type { SocketEntry } from './types.js';

const inCI = Boolean(process.env.CI);
const netlink = netsockBackend().name === 'netlink';
const title = canUnshare
  ? 'a process in a network namespace of its own'
  : `a process in a network namespace of its own (${inCI ? 'CI is set: runs anyway' : 'skipped: creating one needs root and unshare -n; set CI=1 to force'})`;

describe.skipIf(!canUnshare && !inCI)(title, () => {
  let holder: Holder;
  const held = (name: string) => holder.sockets[name] as HeldSocket;
  const inodes = () => Object.values(holder.sockets).map((s) => s.inode);
  beforeAll(async () => {
    holder = await startHolder(true);
  });
  afterAll(cleanup);

  test('is in another namespace than this process', () => {
    expect(readlinkSync(`/proc/${holder.pid}/ns/net`)).not.toBe(readlinkSync('/proc/self/ns/net'));
  });

  test.skipIf(!netlink)('netlink: a socket opened inside its namespace finds every socket', () => {
    const resolver = new SocketResolver({ backend: 'netlink' });
    const used = resolver.backendFor(holder.pid);
    expect(used.name).toBe('netlink');
    expect(used.reason).toMatch(/setns/);
    const found = resolver.resolve(inodes(), { pid: holder.pid });
    expect([...found.keys()].sort()).toEqual(inodes().sort());
    const listener = held('tcp4-listener');
    expect(found.get(listener.inode)).toMatchObject({
      family: 'inet',
      protocol: 'tcp',
      state: 'LISTEN',
      localAddress: '127.0.0.1',
      localPort: listener.local?.[1],
    });
    const seq = held('unix-seqpacket-server');
    expect(found.get(seq.inode)).toMatchObject({
      type: 'seqpacket',
      abstract: true,
      path: seq.abstract,
    });
    expect(found.get(seq.inode)?.peerInode).toBe(held('unix-seqpacket-client').inode);
    // Asked again, the same socket in that namespace serves (kept open until close()).
    expect(resolver.resolve([listener.inode], { pid: holder.pid }).size).toBe(1);
    resolver.close();
  });

  test.skipIf(!netlink)("this process's own namespace does not have those sockets", () => {
    const resolver = new SocketResolver({ backend: 'netlink' });
    expect(resolver.resolve(inodes()).size).toBe(0);
    expect(resolver.backendFor().reason).toMatch(/this process's network namespace/);
    resolver.close();
  });

  test('procfs: /proc/<pid>/net gives the same sockets', () => {
    const procfs = new SocketResolver({ backend: 'procfs' });
    const found = procfs.resolve(inodes(), { pid: holder.pid });
    expect([...found.keys()].sort()).toEqual(inodes().sort());
    if (!netlink) return;
    const viaNetlink = new SocketResolver({ backend: 'netlink' });
    const other = viaNetlink.resolve(inodes(), { pid: holder.pid });
    viaNetlink.close();
    for (const inode of inodes()) {
      const a = other.get(inode) as SocketEntry;
      const b = found.get(inode) as SocketEntry;
      expect([
        a.family,
        a.protocol,
        a.state,
        a.localAddress,
        a.localPort,
        a.remotePort,
        a.type,
      ]).toEqual([
        b.family,
        b.protocol,
        b.state,
        b.localAddress,
        b.localPort,
        b.remotePort,
        b.type,
      ]);
    }
  });

  const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
  const script = fileURLToPath(new URL('../test/no-setns.mjs', import.meta.url));
  const noSysAdmin = ['--bounding-set=-sys_admin', '--inh-caps=-sys_admin'];
  const canDrop = spawnSync('setpriv', [...noSysAdmin, 'true']).status === 0;

  test.skipIf(!netlink || !canDrop)(
    'without CAP_SYS_ADMIN (setns refused): /proc/<pid>/net instead, and says so',
    () => {
      expect(existsSync(dist), `${dist} is missing: run pnpm build first`).toBe(true);
      const output = execFileSync(
        'setpriv',
        [...noSysAdmin, process.execPath, script, String(holder.pid), ...inodes().map(String)],
        { encoding: 'utf8' },
      );
      const result = JSON.parse(output) as {
        backend: { name: string; reason: string };
        entries: SocketEntry[];
      };
      expect(result.backend.name).toBe('procfs');
      expect(result.backend.reason).toMatch(/setns is not allowed/);
      expect(result.entries.map((e) => e.inode).sort()).toEqual(inodes().sort());
    },
  );
});
