// The collectors (details, path, tree, extra info, scan) are written once, as generators that
// yield the reads they need; a sync runner and an async runner carry the reads out. So the sync
// and async APIs cannot drift apart, and a test can replay a collector against any ProcFS.

import { type Stats, statSync } from 'node:fs';
import { stat as statAsync } from 'node:fs/promises';
import type { Executable, FdEntry, ProcFS } from '@procmon/procfs';
import type { SocketInfo, SocketLookup } from './sockets.js';

export type Request =
  | { kind: 'file'; pid: number; name: string }
  | { kind: 'link'; pid: number; name: string }
  /** The exe link with the kernel's verdict on deletion (ProcFS.readExe). */
  | { kind: 'exe'; pid: number }
  | { kind: 'fds'; pid: number }
  | { kind: 'exists'; path: string }
  /** fstat-like facts of what a path (or an fd link) leads to. */
  | { kind: 'stat'; path: string }
  | { kind: 'sockets'; pid: number; inodes: number[] };

export type Flow<T> = Generator<Request, T, unknown>;

/** What the runners need besides the generator: where to read, and who resolves sockets. */
export interface FlowContext {
  procfs: ProcFS;
  /** Called when sockets must be resolved, so a lookup is made only when one is needed. */
  sockets: () => SocketLookup | undefined;
}

export function* readFile(pid: number, name: string): Flow<Uint8Array> {
  return (yield { kind: 'file', pid, name }) as Uint8Array;
}

export function* readLink(pid: number, name: string): Flow<Uint8Array> {
  return (yield { kind: 'link', pid, name }) as Uint8Array;
}

export function* readExe(pid: number): Flow<Executable> {
  return (yield { kind: 'exe', pid }) as Executable;
}

export function* listFds(pid: number): Flow<FdEntry[]> {
  return (yield { kind: 'fds', pid }) as FdEntry[];
}

export function* exists(path: string): Flow<boolean> {
  return (yield { kind: 'exists', path }) as boolean;
}

export function* statPath(path: string): Flow<Stats> {
  return (yield { kind: 'stat', path }) as Stats;
}

export function* resolveSockets(pid: number, inodes: number[]): Flow<Map<number, SocketInfo>> {
  return (yield { kind: 'sockets', pid, inodes }) as Map<number, SocketInfo>;
}

// Follows links, as the reference's Exists does: the path must lead to something. Any error
// (missing, not a folder on the way, permission) means it cannot be used.
function existsSync(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

export function runSync<T>(flow: Flow<T>, context: FlowContext): T {
  let step = flow.next();
  while (!step.done) {
    let value: unknown;
    let failure: { error: unknown } | undefined;
    try {
      value = performSync(step.value, context);
    } catch (error) {
      failure = { error };
    }
    step = failure ? flow.throw(failure.error) : flow.next(value);
  }
  return step.value;
}

export async function runAsync<T>(flow: Flow<T>, context: FlowContext): Promise<T> {
  let step = flow.next();
  while (!step.done) {
    let value: unknown;
    let failure: { error: unknown } | undefined;
    try {
      value = await performAsync(step.value, context);
    } catch (error) {
      failure = { error };
    }
    step = failure ? flow.throw(failure.error) : flow.next(value);
  }
  return step.value;
}

function performSync(request: Request, { procfs, sockets }: FlowContext): unknown {
  switch (request.kind) {
    case 'file':
      return procfs.readFile(request.pid, request.name);
    case 'link':
      return procfs.readLink(request.pid, request.name);
    case 'exe':
      return procfs.readExe(request.pid);
    case 'fds':
      return procfs.listFds(request.pid);
    case 'exists':
      return existsSync(request.path);
    case 'stat':
      return statSync(request.path);
    case 'sockets': {
      const lookup = sockets();
      return lookup ? lookup.resolve(request.inodes, { pid: request.pid }) : new Map();
    }
  }
}

async function performAsync(request: Request, { procfs, sockets }: FlowContext): Promise<unknown> {
  switch (request.kind) {
    case 'file':
      return procfs.promises.readFile(request.pid, request.name);
    case 'link':
      return procfs.promises.readLink(request.pid, request.name);
    case 'exe':
      return procfs.promises.readExe(request.pid);
    case 'fds':
      return procfs.promises.listFds(request.pid);
    case 'exists':
      return statAsync(request.path).then(
        () => true,
        () => false,
      );
    case 'stat':
      return statAsync(request.path);
    case 'sockets': {
      const lookup = sockets();
      return lookup ? lookup.resolveAsync(request.inodes, { pid: request.pid }) : new Map();
    }
  }
}
