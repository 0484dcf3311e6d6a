// processSockets: a process's socket descriptors and its stat, checked against what node:fs reads
// of the same process: this process with a listener and a datagram socket open (their fds and
// inodes from readlinkSync), another user's process (as uid 65534), a pid that names nothing, and
// a batch of many processes split across libuv's pool (each result in its op's place). The suite
// runs once per backend: the native one reads through one folder handle (no statBefore), node's
// by path (statBefore to compare).
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { socketLinks } from '../../../test-support/socket-links.js';
import { call, cleanup, errorOf, type Mode, modes } from '../test/helpers.js';
import { ProcessGoneError } from './errors.js';
import { all } from './flow.js';
import type { SocketDescriptors } from './process-sockets.js';
import { ProcFS } from './procfs.js';

const procfs = new ProcFS();
const readSockets = (mode: Mode, pid: number) =>
  mode === 'sync'
    ? procfs.run(procfs.flows.processSockets(pid))
    : procfs.runAsync(procfs.flows.processSockets(pid));
const socketsOf = (mode: Mode, pid: number) => call(mode, () => readSockets(mode, pid));

const byFd = (read: SocketDescriptors) => read.sockets.slice().sort((a, b) => a.fd - b.fd);
const startTimeOf = (stat: Uint8Array) =>
  Number(new TextDecoder().decode(stat).split(') ')[1]?.split(' ')[19]);

const server = createServer();
const datagram = createSocket('udp4');

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => datagram.bind(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  datagram.close();
  await new Promise((resolve) => server.close(resolve));
  await cleanup();
});

const canSwitch =
  process.getuid?.() === 0 &&
  spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']).status === 0;

describe.each(modes)('processSockets (%s)', (mode) => {
  it("gives this process's socket descriptors, its stat and its folder's owner", async () => {
    const expected = socketLinks(process.pid);
    // The listener and the datagram socket at least; node may hold others of its own.
    expect(expected.length).toBeGreaterThanOrEqual(2);
    const read = await socketsOf(mode, process.pid);
    expect(byFd(read)).toEqual(expected);
    expect(read.denied).toBe(false);
    expect(read.uid).toBe(statSync(`/proc/${process.pid}`).uid);
    const stat = new TextDecoder().decode(read.stat);
    expect(stat.startsWith(`${process.pid} (`)).toBe(true);
    const startTime = startTimeOf(readFileSync(`/proc/${process.pid}/stat`));
    expect(startTimeOf(read.stat)).toBe(startTime);
    if (procfs.backend.name === 'native') expect(read.statBefore).toBeUndefined();
    else expect(startTimeOf(read.statBefore as Uint8Array)).toBe(startTime);
  });

  it('is a ProcessGoneError for a pid that names nothing', async () => {
    const error = await errorOf(mode, () => readSockets(mode, 2 ** 22 + 1));
    expect(error).toBeInstanceOf(ProcessGoneError);
    expect((error as ProcessGoneError).pid).toBe(2 ** 22 + 1);
  });

  it('refuses a pid like -1 before any read', async () => {
    const error = await errorOf(mode, () => readSockets(mode, -1));
    expect(error).toBeInstanceOf(TypeError);
  });

  it.skipIf(!canSwitch)('says denied, with no socket, for a root process read as uid 65534', () => {
    const script = `
      const { ProcFS } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
      const procfs = new ProcFS();
      const read = ${mode === 'sync' ? 'procfs.run' : 'await procfs.runAsync'}(procfs.flows.processSockets(${process.pid}));
      console.log(JSON.stringify({ sockets: read.sockets, denied: read.denied, uid: read.uid }));`;
    const run = spawnSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        '--input-type=module',
        '-e',
        script,
      ],
      { encoding: 'utf8', env: { ...process.env }, timeout: 60_000 },
    );
    if (run.status !== 0) {
      // fd/ itself may not be listed: then the read is refused outright, never empty.
      expect(run.stderr).toMatch(/PermissionDeniedError|EACCES|permission/i);
      return;
    }
    const read = JSON.parse(run.stdout);
    expect(read).toEqual({ sockets: [], denied: true, uid: 0 });
  });
});

describe('many processes in one batch (async: split across the pool)', () => {
  it("gives each process its own sockets, in its op's place", async () => {
    const children = Array.from({ length: 80 }, () => spawn('sleep', ['30'], { stdio: 'ignore' }));
    try {
      const pids = [process.pid, ...children.map((child) => child.pid as number)];
      const reads = (await procfs.runAsync(
        all(pids.map((pid) => procfs.flows.processSockets(pid))),
      )) as SocketDescriptors[];
      reads.forEach((read, i) => {
        const pid = pids[i] as number;
        expect(new TextDecoder().decode(read.stat).startsWith(`${pid} (`)).toBe(true);
      });
      expect(byFd(reads[0] as SocketDescriptors)).toEqual(socketLinks(process.pid));
      for (const read of reads.slice(1)) expect(read.sockets).toEqual([]);
    } finally {
      for (const child of children) child.kill();
    }
  });
});
