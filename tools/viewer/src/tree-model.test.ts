// The tree and its search over hand-made scans: parents by ppid, roots where the parent is not
// captured, matches kept with their ancestors, and ppids that loop (a hostile snapshot's stat
// files can say anything) ending the walk instead of hanging it.
import type { ScannedProcess } from '@procmon/process';
import { describe, expect, it } from 'vitest';
import { buildTree, matches, visiblePids } from './tree-model.js';

function scanned(pid: number, ppid: number, comm: string, command = comm, uid = 0): ScannedProcess {
  return {
    pid,
    ppid,
    comm,
    command,
    state: 'S',
    startTime: pid * 10,
    uids: { real: uid, effective: uid, saved: uid, filesystem: uid },
    stat: {} as ScannedProcess['stat'],
    readAt: 0,
    gone: false,
    failures: [],
  };
}

const PROCESSES = [
  scanned(1, 0, 'init'),
  scanned(2, 0, 'kthreadd'),
  scanned(10, 1, 'sshd', '/usr/sbin/sshd -D'),
  scanned(11, 10, 'bash', '-bash', 1000),
  scanned(12, 11, 'python3', 'python3 server.py --port 8080', 1000),
  scanned(20, 99, 'orphan'),
];
const byPid = new Map(PROCESSES.map((process) => [process.pid, process]));
const uidOf = (pid: number) => byPid.get(pid)?.uids?.effective;

describe('buildTree', () => {
  it('hangs each process under its parent, roots where the parent is not captured', () => {
    const tree = buildTree(PROCESSES);
    expect(tree.roots.map((p) => p.pid)).toEqual([1, 2, 20]);
    expect(tree.children.get(1)?.map((p) => p.pid)).toEqual([10]);
    expect(tree.children.get(11)?.map((p) => p.pid)).toEqual([12]);
    expect(tree.children.has(12)).toBe(false);
  });

  it('makes a process that names itself as parent a root', () => {
    expect(buildTree([scanned(5, 5, 'self')]).roots.map((p) => p.pid)).toEqual([5]);
  });
});

describe('search', () => {
  it('matches a pid exactly, a uid with uid:, and text in name, path or args ignoring case', () => {
    const python = byPid.get(12) as ScannedProcess;
    expect(matches(python, '12', uidOf)).toBe(true);
    expect(matches(python, '1', uidOf)).toBe(false);
    expect(matches(python, 'uid:1000', uidOf)).toBe(true);
    expect(matches(python, 'uid:0', uidOf)).toBe(false);
    expect(matches(python, 'SERVER.PY', uidOf)).toBe(true);
    expect(matches(python, '--port 8080', uidOf)).toBe(true);
    expect(matches(python, 'sshd', uidOf)).toBe(false);
  });

  it('shows each match with its ancestors, nothing when nothing matches, all when empty', () => {
    expect(
      [...(visiblePids(PROCESSES, byPid, 'server.py', uidOf) ?? [])].sort((a, b) => a - b),
    ).toEqual([1, 10, 11, 12]);
    expect(
      [...(visiblePids(PROCESSES, byPid, 'uid:1000', uidOf) ?? [])].sort((a, b) => a - b),
    ).toEqual([1, 10, 11, 12]);
    expect(visiblePids(PROCESSES, byPid, 'nothing like it', uidOf)?.size).toBe(0);
    expect(visiblePids(PROCESSES, byPid, '  ', uidOf)).toBeUndefined();
  });

  it('stops at a loop of parents', () => {
    const loop = [scanned(30, 31, 'a'), scanned(31, 30, 'b')];
    const loopByPid = new Map(loop.map((process) => [process.pid, process]));
    expect([...(visiblePids(loop, loopByPid, 'a', () => undefined) ?? [])].sort()).toEqual([
      30, 31,
    ]);
    // Neither has an uncaptured parent: the loop's lowest pid is made a root, so both are shown.
    const tree = buildTree(loop);
    expect(tree.roots.map((p) => p.pid)).toEqual([30]);
    expect(tree.children.get(30)?.map((p) => p.pid)).toEqual([31]);
  });
});
