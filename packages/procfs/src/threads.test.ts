// Threads of this very process: a Worker thread tells its own tid (from /proc/thread-self), which
// listTasks must list; listTaskFds of the main thread matches listFds (threads share one
// descriptor table), checked on descriptors that stay open.
import { closeSync, openSync, readdirSync, readlinkSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { parseStat } from '@procmon/parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOf, call, cleanup, fdMap, modes, tempRoot, textOf } from '../test/helpers.js';
import { ProcFS } from './procfs.js';

const procfs = new ProcFS();
const pid = process.pid;
let worker: Worker;
let workerTid: number;
let heldFd: number;
let heldPath: string;

beforeAll(async () => {
  worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const { readlinkSync } = require('node:fs');
     parentPort.postMessage(readlinkSync('/proc/thread-self'));
     setInterval(() => {}, 1 << 30);`,
    { eval: true },
  );
  const threadSelf = await new Promise<string>((resolve) => worker.once('message', resolve));
  // "<pid>/task/<tid>"
  const [owner, , tid] = threadSelf.split('/');
  expect(Number(owner)).toBe(pid);
  workerTid = Number(tid);
  heldPath = `${tempRoot({ held: 'held open\n' })}/held`;
  heldFd = openSync(heldPath, 'r');
});

afterAll(async () => {
  closeSync(heldFd);
  await worker.terminate();
  await cleanup();
});

describe.each(modes)('threads of this process (%s)', (mode) => {
  const api = apiOf(procfs, mode);

  it('listTasks lists the main thread and the worker thread', async () => {
    const before = readdirSync('/proc/self/task').map(Number);
    const tids = await call(mode, () => api.listTasks(pid));
    const after = readdirSync('/proc/self/task').map(Number);
    expect(tids).toContain(pid);
    expect(tids).toContain(workerTid);
    expect(workerTid).not.toBe(pid);
    // Every thread that existed both before and after is listed; nothing outside either.
    for (const tid of before.filter((tid) => after.includes(tid))) expect(tids).toContain(tid);
    for (const tid of tids) expect([...before, ...after]).toContain(tid);
  });

  it("reads the worker thread's own stat", async () => {
    const stat = parseStat(await call(mode, () => api.readTaskFile(pid, workerTid, 'stat')));
    expect(stat.pid).toBe(workerTid);
    const main = parseStat(await call(mode, () => api.readTaskFile(pid, pid, 'stat')));
    expect(main.pid).toBe(pid);
  });

  it('listTaskFds of the main thread and of the worker match listFds on stable descriptors', async () => {
    const first = fdMap(await call(mode, () => api.listFds(pid)));
    const mainThread = fdMap(await call(mode, () => api.listTaskFds(pid, pid)));
    const workerThread = fdMap(await call(mode, () => api.listTaskFds(pid, workerTid)));
    const second = fdMap(await call(mode, () => api.listFds(pid)));
    // Stable: open with the same target in both listFds calls.
    const stable = [...first].filter(([fd, target]) => second.get(fd) === target);
    expect(stable.length).toBeGreaterThan(3);
    for (const listing of [mainThread, workerThread]) {
      for (const [fd, target] of stable) expect(listing.get(fd)).toBe(target);
      for (const fd of listing.keys()) expect(first.has(fd) || second.has(fd)).toBe(true);
    }
    expect(first.get(heldFd)).toBe(heldPath);
    expect(mainThread.get(heldFd)).toBe(heldPath);
    expect(workerThread.get(heldFd)).toBe(heldPath);
    expect(textOf(await call(mode, () => api.readFdLink(pid, heldFd)))).toBe(
      readlinkSync(`/proc/self/fd/${heldFd}`),
    );
  });
});
