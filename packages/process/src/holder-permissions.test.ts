// Socket holders without privilege, for real: test/unprivileged-holders.mjs runs as uid/gid
// 65534 (setpriv) through the built dist, with a listener of its own and the inode of a root
// listener this test holds. Needs root to switch users; skipped otherwise, unless CI is set.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAll, spawnLines } from '../test/helpers.js';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const script = fileURLToPath(new URL('../test/unprivileged-holders.mjs', import.meta.url));
const holder = fileURLToPath(new URL('../test/socket-holder.py', import.meta.url));
const setpriv = ['--reuid=65534', '--regid=65534', '--clear-groups'];
const canSwitch =
  process.getuid?.() === 0 && spawnSync('setpriv', [...setpriv, 'true']).status === 0;
const inCI = Boolean(process.env.CI);

afterAll(cleanupAll);

interface Lookup {
  inode: number;
  holders: { pid: number; startTime: number; fd: number; uid: number; comm: string }[];
  searched: string;
  unreadable: number[];
  reason?: string;
}
interface Result {
  uid: number;
  truth: {
    pid: number;
    startTime: number;
    fd: number;
    uid: number;
    comm: string;
    link: string;
    inode: number;
  };
  own: Lookup;
  ownAsync: Lookup;
  root: Lookup;
  rootAsync: Lookup;
}

describe.skipIf(!canSwitch && !inCI)('socket holders as uid 65534', () => {
  let result: Result;
  let rootPid: number;
  let rootInode: number;

  beforeAll(async () => {
    expect(existsSync(dist), `${dist} is missing: run pnpm build first`).toBe(true);
    const { child, lines } = await spawnLines('python3', [holder, 'listen']);
    const report = JSON.parse(lines[0] as string) as { pid: number; fd: number; inode: number };
    rootPid = report.pid;
    rootInode = report.inode;
    expect(readlinkSync(`/proc/${rootPid}/fd/${report.fd}`)).toBe(`socket:[${rootInode}]`);
    const output = execFileSync(
      'setpriv',
      [...setpriv, process.execPath, script, dist, holder, String(rootInode)],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, encoding: 'utf8' },
    );
    result = JSON.parse(output);
    child.stdin?.end();
  });

  it('runs as 65534, with a listener of its own', () => {
    expect(result.uid).toBe(65534);
    expect(result.truth.uid).toBe(65534);
    expect(result.truth.link).toBe(`socket:[${result.truth.inode}]`);
  });

  it("finds its own child's socket among its uid's processes, sync and async", () => {
    const { link: _, inode, ...holderTruth } = result.truth;
    for (const lookup of [result.own, result.ownAsync]) {
      expect(lookup).toMatchObject({ inode, holders: [holderTruth], searched: 'uid' });
      expect(lookup.reason).toBeUndefined();
    }
  });

  it("says not-permitted for a root process's socket, never a wrong holder", () => {
    for (const lookup of [result.root, result.rootAsync]) {
      expect(lookup).toMatchObject({
        inode: rootInode,
        holders: [],
        searched: 'all',
        reason: 'not-permitted',
      });
      expect(lookup.unreadable).toContain(rootPid);
    }
  });
});
