// The program shown for a socket holder is read after the walk that found the holder: a process
// that exec'd in between (same pid, same start time) runs another program, which does not hold a
// socket the old one had marked close-on-exec. Known truth: a Python child that opens a socket
// (close-on-exec, as Python makes them), is walked, then execs sleep on a line from us.
import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { walkSockets } from '@procmon/process';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, eventually, firstLine, trackChild } from '../../../test-support/processes.js';
import { holderPrograms } from './net-programs.js';

afterAll(cleanup);

const SCRIPT = [
  'import os, socket, sys',
  's = socket.socket()',
  "s.bind(('127.0.0.1', 0))",
  'print(s.fileno(), flush=True)',
  'sys.stdin.readline()',
  "os.execv('/bin/sleep', ['sleep', '1000'])",
].join('\n');

const socketLinks = (pid: number): string[] =>
  readdirSync(`/proc/${pid}/fd`)
    .map((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    })
    .filter((target) => target.startsWith('socket:['));

describe('holderPrograms', () => {
  it("names a holder's program, and none once it exec'd another that dropped the socket", async () => {
    const child = trackChild(
      spawn('python3', ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] }),
    );
    const fd = Number(await firstLine(child));
    const pid = child.pid as number;
    const walked = walkSockets({ pids: [pid] }).processes[0];
    const socket = walked?.sockets.find((held) => held.fd === fd);
    expect(socket).toBeDefined();
    const holder = {
      pid,
      startTime: walked?.startTime as number,
      fd,
      uid: walked?.uid as number,
      comm: walked?.comm as string,
      inode: socket?.inode as number,
    };
    const key = `${pid}:${holder.startTime}:${fd}`;
    // Before the exec: the interpreter, as /proc/<pid>/exe names it.
    const python = realpathSync(`/proc/${pid}/exe`);
    expect(holderPrograms([holder]).get(key)?.path).toBe(python);
    child.stdin?.write('\n');
    await eventually(
      () => (realpathSync(`/proc/${pid}/exe`) !== python ? true : undefined),
      'the exec of sleep',
    );
    // The socket went with the exec: sleep does not hold it (its stdio are socket pairs of node's), so it is no holder's program.
    expect(socketLinks(pid)).not.toContain(`socket:[${holder.inode}]`);
    expect(holderPrograms([holder]).get(key)).toBeUndefined();
  });
});
