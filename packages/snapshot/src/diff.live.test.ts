// Two (then three) real snapshots with known changes between them: a process that exits, a
// program rewritten on disk and started again, a process that starts with a listener and a
// connection to it, then ends. The diff names each, with what shows it, and nothing else of ours.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exited, firstLine, tempFolder, trackChild } from '../../../test-support/processes.js';
import { cleanup } from '../test/helpers.js';
import { readSnapshot } from './archive.js';
import { captureSnapshot } from './capture.js';
import { diffSnapshots, type SnapshotDiff } from './diff.js';

afterAll(cleanup);

// Listens on a loopback port, connects to it, prints "listenPort clientPort", then waits.
const PAIR_SCRIPT = [
  "const net=require('net');const s=net.createServer(()=>{});",
  "s.listen(0,'127.0.0.1',()=>{const c=net.connect(s.address().port,'127.0.0.1',()=>{",
  "console.log(s.address().port+' '+c.localPort)})});setInterval(()=>{},1e6)",
].join('');

const sha256 = (file: string) =>
  execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0] as string;
const capture = async (pids: number[]) =>
  readSnapshot(await captureSnapshot({ pids, checksums: ['sha256'] }));

let program: string;
let digestBefore: string;
let digestAfter: string;
const pids: Record<'exits' | 'oldProgram' | 'newProgram' | 'pair', number> = {
  exits: 0,
  oldProgram: 0,
  newProgram: 0,
  pair: 0,
};
let listenPort: number;
let clientPort: number;
let firstDiff: SnapshotDiff;
let lastDiff: SnapshotDiff;

beforeAll(async () => {
  program = join(tempFolder('procmon-diff-'), 'my-sleep');
  copyFileSync('/bin/sleep', program);
  digestBefore = sha256(program);
  const exits = trackChild(spawn('/bin/sleep', ['1000'], { stdio: 'ignore' }));
  const oldProgram = trackChild(spawn(program, ['1000'], { stdio: 'ignore' }));
  pids.exits = exits.pid as number;
  pids.oldProgram = oldProgram.pid as number;
  const a = await capture([pids.exits, pids.oldProgram, process.pid]);

  exits.kill('SIGKILL');
  oldProgram.kill('SIGKILL');
  await Promise.all([exited(exits), exited(oldProgram)]);
  // Rewritten once nothing runs it (a running binary cannot be written: ETXTBSY).
  appendFileSync(program, 'rewritten');
  digestAfter = sha256(program);
  const newProgram = trackChild(spawn(program, ['1000'], { stdio: 'ignore' }));
  const pair = trackChild(
    spawn(process.execPath, ['-e', PAIR_SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  [listenPort, clientPort] = (await firstLine(pair)).split(' ').map(Number) as [number, number];
  pids.newProgram = newProgram.pid as number;
  pids.pair = pair.pid as number;
  const b = await capture([pids.newProgram, pids.pair, process.pid]);

  pair.kill('SIGKILL');
  await exited(pair);
  const c = await capture([pids.newProgram, process.pid]);
  firstDiff = diffSnapshots(a, b);
  lastDiff = diffSnapshots(b, c);
});

const ours = (diff: SnapshotDiff['started']) => diff.map((p) => p.pid).sort((x, y) => x - y);
const byNumber = (values: number[]) => [...values].sort((x, y) => x - y);
const onPort = (sockets: SnapshotDiff['newListeners'], port: number) =>
  sockets.filter((s) => s.local.port === port || s.remote.port === port);

describe('the diff of two snapshots', () => {
  it('names the processes started and gone, with their args and path', () => {
    expect(ours(firstDiff.started)).toEqual(byNumber([pids.newProgram, pids.pair]));
    expect(ours(firstDiff.gone)).toEqual(byNumber([pids.exits, pids.oldProgram]));
    const started = firstDiff.started.find((p) => p.pid === pids.newProgram);
    expect(started).toMatchObject({
      ppid: process.pid,
      comm: 'my-sleep',
      args: [program, '1000'],
      path: program,
    });
    const gone = firstDiff.gone.find((p) => p.pid === pids.exits);
    expect(gone).toMatchObject({ comm: 'sleep', args: ['/bin/sleep', '1000'] });
  });

  it('names the rewritten program with the checksums sha256sum gave before and after', () => {
    expect(firstDiff.checksumsCompared).toBe(true);
    expect(firstDiff.checksumChanged).toHaveLength(1);
    const [change] = firstDiff.checksumChanged;
    expect(change).toMatchObject({
      kind: 'path',
      path: program,
      algorithm: 'sha256',
      before: [digestBefore],
      after: [digestAfter],
    });
    expect(change?.processesBefore.map((p) => p.pid)).toEqual([pids.oldProgram]);
    expect(change?.processesAfter.map((p) => p.pid)).toEqual([pids.newProgram]);
  });

  it('names the new listener and both ends of the new connection, held by the child', () => {
    const listeners = onPort(firstDiff.newListeners, listenPort);
    expect(listeners).toHaveLength(1);
    expect(listeners[0]).toMatchObject({
      protocol: 'tcp',
      local: { address: '127.0.0.1', port: listenPort },
      state: 'LISTEN',
    });
    expect(listeners[0]?.holders.map((p) => p.pid)).toEqual([pids.pair]);
    const connections = onPort(firstDiff.newConnections, listenPort);
    expect(connections.map((s) => [s.local.port, s.remote.port]).sort()).toEqual(
      [
        [clientPort, listenPort],
        [listenPort, clientPort],
      ].sort(),
    );
    for (const connection of connections) {
      expect(connection.state).toBe('ESTABLISHED');
      expect(connection.holders.map((p) => p.pid)).toEqual([pids.pair]);
      expect(connection.holders[0]?.args.slice(0, 2)).toEqual([process.execPath, '-e']);
    }
    expect(onPort(firstDiff.goneListeners, listenPort)).toEqual([]);
  });

  it('names the listener and connections gone once the child ended, and nothing else of ours', () => {
    expect(ours(lastDiff.gone)).toEqual([pids.pair]);
    expect(lastDiff.started).toEqual([]);
    expect(lastDiff.checksumChanged).toEqual([]);
    expect(
      onPort(lastDiff.goneListeners, listenPort).map((s) => s.holders.map((p) => p.pid)),
    ).toEqual([[pids.pair]]);
    expect(onPort(lastDiff.goneConnections, listenPort)).toHaveLength(2);
    expect(onPort(lastDiff.newListeners, listenPort)).toEqual([]);
  });
});
