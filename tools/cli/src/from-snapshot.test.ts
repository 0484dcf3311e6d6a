// `--from FILE` through the built binary: known processes this test starts (a shell with known
// arguments, environment and cwd, and its child, a node TCP listener) are captured with
// `procmon snapshot`, and ps, tree, inspect, fds, env, net and net owner give offline what they
// gave live. Known truth for the clock: the archive's own files, read with the system's tar (the
// captured uptime and stat, the manifest's takenAt); the offline runs come 2 s after the capture,
// so an answer counted to this machine's clock would differ.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, firstLine, tempFolder, trackChild } from '../../../test-support/processes.js';
import { procmon } from '../test/binary.js';

// The listener says its pid and port, then keeps every connection.
const LISTENER =
  "const s=require('net').createServer(()=>{}).listen(0,'127.0.0.1',()=>console.log(process.pid+' '+s.address().port))";
// The shell starts it in the background with known arguments and waits for it: a parent and its
// child, the child's stdout the shell's.
const SCRIPT = '"$0" -e "$1" from-snapshot-child "two words" & wait';

let parent: number;
let child: number;
let port: number;
let cwd: string;
let archive: string;
let folder: string;

beforeAll(async () => {
  folder = tempFolder('procmon-from-');
  cwd = join(folder, 'cwd with space');
  mkdirSync(cwd);
  const sh = trackChild(
    spawn('/bin/sh', ['-c', SCRIPT, process.execPath, LISTENER], {
      cwd,
      env: { KNOWN_VAR: 'visible', API_TOKEN: 'hunter2', PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const [pid, listening] = (await firstLine(sh)).split(' ').map(Number);
  parent = sh.pid as number;
  child = pid as number;
  port = listening as number;
  archive = join(folder, 'machine.tar.gz');
  const run = procmon(['snapshot', '-o', archive, '--env']);
  if (run.status !== 0) throw new Error(`procmon snapshot failed: ${run.stderr}`);
  // Whatever is counted to this machine's clock from here on is 2 s off.
  await sleep(2000);
}, 120_000);

afterAll(async () => {
  try {
    process.kill(child);
  } catch {
    // Gone already.
  }
  await cleanup();
});

/** A member of the archive, as GNU tar extracts it. */
function member(name: string, from = archive): string {
  const run = spawnSync('tar', ['-xzOf', from, name], { encoding: 'latin1' });
  if (run.status !== 0) throw new Error(`tar -xzOf ${name}: ${run.stderr}`);
  return run.stdout;
}

/** `procmon ...args --json` parsed, failing the test with stderr when it did not succeed. */
function json<T>(args: readonly string[]): T {
  const run = procmon([...args, '--json']);
  if (run.status !== 0) throw new Error(`procmon ${args.join(' ')}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/** Live, then from the archive. */
const both = <T>(args: readonly string[]): [T, T] => [
  json<T>(args),
  json<T>([...args, '--from', archive]),
];

/** %CPU over a process's life up to the capture, from the archive's uptime and the process's stat. */
function lifetimePercentAtCapture(pid: number): number {
  const ticks = (JSON.parse(member('manifest.json')) as { clockTicks: number }).clockTicks;
  const uptime = Number(member('proc/uptime').split(' ')[0]);
  const stat = member(`proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime, start] = [fields[11], fields[12], fields[19]].map(Number) as number[];
  return (
    (((utime as number) + (stime as number)) / ticks / (uptime - (start as number) / ticks)) * 100
  );
}

const takenAt = (): number =>
  Date.parse((JSON.parse(member('manifest.json')) as { takenAt: string }).takenAt);

interface PsLine {
  pid: number;
  ppid: number;
  uid: number;
  user: string;
  comm: string;
  path: string;
  args: string[];
  command: string;
  stat: string;
  startTime: number;
  startedAt: number;
  cpuPercent: number;
  nice: number;
  priority: number;
  pgrp: number;
  session: number;
}

describe('ps --from', () => {
  it('gives the same processes, and counts START and %CPU to the capture', () => {
    const [live, offline] = both<{ lines: PsLine[]; readAt: number }>([
      'ps',
      '-p',
      `${parent},${child}`,
    ]);
    const fixed = ({ cpuPercent: _, ...line }: PsLine) => line;
    expect(offline.lines.map((line) => line.pid)).toEqual([parent, child]);
    const kept = ['pid', 'ppid', 'uid', 'user', 'comm', 'path', 'args', 'command', 'startTime'];
    for (const [i, line] of offline.lines.entries()) {
      const liveLine = live.lines[i] as PsLine;
      for (const key of [...kept, 'startedAt', 'nice', 'priority', 'pgrp', 'session'] as const)
        expect(fixed(line)[key as keyof ReturnType<typeof fixed>]).toEqual(
          fixed(liveLine)[key as keyof ReturnType<typeof fixed>],
        );
    }
    const childLine = offline.lines[1] as PsLine;
    expect(childLine.ppid).toBe(parent);
    expect(childLine.args).toEqual([
      process.execPath,
      '-e',
      expect.stringContaining('createServer'),
      'from-snapshot-child',
      'two words',
    ]);
    // The moment of the capture, not of this run (2 s later).
    expect(offline.readAt).toBe(takenAt());
    expect(live.readAt - offline.readAt).toBeGreaterThanOrEqual(2000);
    const atCapture = lifetimePercentAtCapture(child);
    expect(atCapture).toBeGreaterThan(0);
    expect(childLine.cpuPercent).toBeCloseTo(atCapture, 9);
  });

  it('refuses --interval: a snapshot is one moment', () => {
    const run = procmon(['ps', '--interval', '1', '--from', archive]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--interval cannot be answered from a snapshot');
  });
});

describe('tree --from', () => {
  it('gives the same ancestors up to pid 1', () => {
    const [live, offline] = both<{ tree: { pid: number }[] }>(['tree', String(child)]);
    expect(offline).toEqual(live);
    expect(offline.tree.map((entry) => entry.pid).slice(0, 2)).toEqual([child, parent]);
    expect(offline.tree.at(-1)?.pid).toBe(1);
  });

  it('says where the chain ends in a snapshot of chosen processes', () => {
    const partial = join(folder, 'partial.tar.gz');
    expect(procmon(['snapshot', '-o', partial, '-p', String(child)]).status).toBe(0);
    const report = json<{ tree: { pid: number }[]; parentNotCaptured?: number }>([
      'tree',
      String(child),
      '--from',
      partial,
    ]);
    expect(report.tree.map((entry) => entry.pid)).toEqual([child]);
    expect(report.parentNotCaptured).toBe(parent);
    expect(procmon(['tree', String(child), '--from', partial]).stdout).toContain(
      `(its parent ${parent} is not in the snapshot)`,
    );
    // The whole-machine snapshot holds every ancestor: nothing to say.
    expect(json<object>(['tree', String(child), '--from', archive])).not.toHaveProperty(
      'parentNotCaptured',
    );
  });

  it('gives the same subtree with --children', () => {
    const [live, offline] = both<{ subtree: { pid: number; children: { pid: number }[] } }>([
      'tree',
      '--children',
      String(parent),
    ]);
    expect(offline).toEqual(live);
    expect(offline.subtree.children.map((entry) => entry.pid)).toEqual([child]);
  });
});

interface InspectJson {
  pid: number;
  startTime: number;
  startedAt: string;
  ppid: number;
  path: string;
  args: string[];
  cwd: string;
  user: string;
  group: string;
  uid: object;
  gid: object;
  tree: object[];
  namespaces: Record<string, number>;
  limits: object[];
  cgroups: string[];
  cpu: { lifetimePercent: number };
  memoryUsage: { ussBytes?: number; pssBytes?: number };
  env?: [string, string][];
  descriptors: { fd: number; type: string; target: string; socket?: string }[];
}

describe('inspect --from', () => {
  it('gives the same identity, tree, namespaces, limits and cgroups; memory from smaps_rollup', () => {
    const [live, offline] = both<InspectJson>(['inspect', String(child), '--no-checksums']);
    for (const key of [
      'pid',
      'startTime',
      'startedAt',
      'ppid',
      'path',
      'args',
      'cwd',
      'user',
      'group',
      'uid',
      'gid',
      'tree',
      'namespaces',
      'limits',
      'cgroups',
    ] as const) {
      expect(offline[key]).toEqual(live[key]);
    }
    expect(offline.cwd).toBe(cwd);
    expect(offline.memoryUsage.ussBytes).toBeGreaterThan(0);
    expect(offline.memoryUsage.pssBytes).toBeGreaterThan(0);
    expect(offline.cpu.lifetimePercent).toBeCloseTo(lifetimePercentAtCapture(child), 9);
  });

  it('shows the environment as captured: secrets redacted, the rest as live', () => {
    const [live, offline] = both<{ entries: [string, string][] }>(['env', String(parent)]);
    expect(live.entries).toContainEqual(['API_TOKEN', 'hunter2']);
    expect(offline.entries).toEqual(
      live.entries.map(([name, value]) => [name, name === 'API_TOKEN' ? '<redacted>' : value]),
    );
  });

  it('needs a pid, and computes no checksums when asked (no binary in a snapshot)', () => {
    const self = procmon(['inspect', '--from', archive]);
    expect(self.status).toBe(2);
    expect(self.stderr).toContain('--from needs a pid');
    const algo = procmon(['inspect', String(child), '--algo', 'sha1', '--from', archive]);
    expect(algo.status).toBe(2);
    expect(algo.stderr).toContain('checksums need the binary');
    const missing = procmon(['inspect', '4194304', '--from', archive]);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe(
      `procmon: process 4194304 is not in the snapshot ${archive}`,
    );
  });
});

describe('fds and net --from', () => {
  it('lists the same descriptors, the listening socket with its connection', () => {
    const [live, offline] = both<{ descriptors: InspectJson['descriptors'] }>([
      'fds',
      String(child),
    ]);
    // /proc/net/unix has no peer (netlink's unix diag has): a unix socket is its inode and state.
    const unixPeer = / -> socket:\[\d+\]/;
    const shown = (list: InspectJson['descriptors']) =>
      list.map(({ fd, type, target, socket }) => ({
        fd,
        type,
        target,
        socket: socket?.replace(unixPeer, ''),
      }));
    expect(shown(offline.descriptors)).toEqual(shown(live.descriptors));
    expect(offline.descriptors.some((d) => d.socket?.includes(`127.0.0.1:${port}`))).toBe(true);
    // No failure for what a snapshot does not hold (the files behind the links).
    expect(JSON.stringify(offline)).not.toContain('ENODATA');
  });

  interface NetJson {
    sockets: {
      socket: Record<string, unknown>;
      user?: string;
      holders: { pid: number; fd: number; startTime: number; user?: string; program?: object }[];
    }[];
  }
  const socketShown = (socket: Record<string, unknown>) => {
    const { protocol, family, state, localAddress, localPort, remoteAddress, remotePort } = socket;
    return { protocol, family, state, localAddress, localPort, remoteAddress, remotePort };
  };

  it('gives the same sockets and holders for the listener', () => {
    const [live, offline] = both<NetJson>(['net', '-p', String(child), '--proto', 'tcp']);
    const shown = (report: NetJson) =>
      report.sockets.map(({ socket, user, holders }) => ({
        socket: { ...socketShown(socket), inode: socket.inode, uid: socket.uid },
        user,
        holders,
      }));
    expect(shown(offline)).toEqual(shown(live));
    expect(offline.sockets.map(({ socket }) => socket.localPort)).toContain(port);
  });

  it('answers net owner from the captured tables, as live', () => {
    const [live, offline] = both<{ holders: object[]; socket: Record<string, unknown> }>([
      'net',
      'owner',
      'tcp',
      `127.0.0.1:${port}`,
    ]);
    expect(offline.holders).toEqual(live.holders);
    expect(socketShown(offline.socket)).toEqual(socketShown(live.socket));
    expect(offline.holders).toContainEqual(expect.objectContaining({ pid: child }));
    // A tuple nobody listened on at the capture: found in no captured table, status 1 (as live).
    const none = procmon(['net', 'owner', 'tcp', '127.0.0.1:1', '--from', archive]);
    expect(none.status).toBe(1);
    expect(none.stdout).toContain(`the socket tables of ${archive} hold no such socket`);
  });
});

describe('what a snapshot cannot answer', () => {
  it('says why for hash, watch, and net owner --netns', () => {
    for (const [args, what] of [
      [['hash', String(child)], 'hash cannot be answered from a snapshot'],
      [['watch'], 'watch cannot be answered from a snapshot'],
      [['net', 'owner', 'tcp', `127.0.0.1:${port}`, '--netns', String(child)], '--netns cannot'],
    ] as const) {
      const run = procmon([...args, '--from', archive]);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(what);
    }
  });

  it('shows --from in the help of every command that reads one', () => {
    for (const command of [
      ['ps'],
      ['tree'],
      ['inspect'],
      ['fds'],
      ['env'],
      ['net'],
      ['net', 'owner'],
    ]) {
      const help = procmon([...command, '--help']);
      expect(help.stdout).toContain('--from <file>');
    }
  });
});

describe('a snapshot file that is not sound', () => {
  it('is refused in one line with status 1: missing, truncated, a ../ member', () => {
    const truncated = join(folder, 'truncated.tar.gz');
    writeFileSync(truncated, readFileSync(archive).subarray(0, 2000));
    // manifest.json first (as a snapshot), then a member whose path climbs out.
    const hostile = join(folder, 'hostile');
    mkdirSync(join(hostile, 'in'), { recursive: true });
    writeFileSync(join(hostile, 'in', 'manifest.json'), member('manifest.json'));
    writeFileSync(join(hostile, 'evil'), 'x');
    const climbing = join(folder, 'climbing.tar.gz');
    const tar = spawnSync(
      'tar',
      ['--format=ustar', '-czPf', climbing, 'manifest.json', '../evil'],
      {
        cwd: join(hostile, 'in'),
      },
    );
    expect(tar.status).toBe(0);
    for (const [file, why] of [
      [join(folder, 'none.tar.gz'), 'no such file'],
      [truncated, 'truncated'],
      [climbing, '../evil'],
    ] as const) {
      const run = procmon(['ps', '--from', file]);
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^procmon: /);
      expect(lines[0]).toContain(why);
    }
  });
});

describe('user and group names', () => {
  it("shows the manifest's names, escaped, and the number where it has none", () => {
    // The archive repacked with a manifest that names the child's user and no group.
    const unpacked = tempFolder('procmon-from-unpacked-');
    expect(spawnSync('tar', ['-xzf', archive, '-C', unpacked]).status).toBe(0);
    const uid = process.getuid?.() as number;
    const gid = process.getgid?.() as number;
    const manifest = JSON.parse(readFileSync(join(unpacked, 'manifest.json'), 'utf8'));
    manifest.users = { [String(uid)]: 'crafted\u001b[31muser' };
    manifest.groups = {};
    writeFileSync(join(unpacked, 'manifest.json'), JSON.stringify(manifest));
    const crafted = join(unpacked, '..', `${unpacked.split('/').at(-1)}.tar.gz`);
    const pack = spawnSync(
      'tar',
      ['--format=posix', '-czf', crafted, '-C', unpacked, 'manifest.json', `proc`],
      { encoding: 'utf8' },
    );
    expect(pack.stderr).toBe('');
    const ps = json<{ lines: PsLine[] }>(['ps', '-p', String(child), '--from', crafted]);
    expect(ps.lines[0]?.user).toBe('crafted\u001b[31muser');
    // As text, the name escaped (a terminal sees no escape sequence); the group as its number.
    const inspect = procmon(['inspect', String(child), '--from', crafted]);
    expect(inspect.stdout).toMatch(/user +crafted\\x1b\[31muser \(real /);
    expect(inspect.stdout).not.toContain('\u001b');
    expect(inspect.stdout).toMatch(new RegExp(`group +${gid} \\(real `));
    // -u takes the manifest's name too.
    const byName = json<{ lines: PsLine[] }>([
      'ps',
      '-u',
      'crafted\u001b[31muser',
      '-p',
      String(child),
      '--from',
      crafted,
    ]);
    expect(byName.lines.map((line) => line.pid)).toEqual([child]);
  });
});
