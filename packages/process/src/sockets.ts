// The sockets behind descriptors. By default a shared @procmon/netsock SocketResolver answers
// (netlink sock_diag, else /proc/<pid>/net); any object with the same two methods can replace it
// (a resolver with a DNS hook, a test double), and `sockets: false` turns the lookup off.

import { type SocketEntry, SocketResolver } from '@procmon/netsock';
import type { ProcFS } from '@procmon/procfs';

/** A socket's connection: @procmon/netsock's entry. */
export type SocketInfo = SocketEntry;

/** Resolves socket inodes to connections, in the network namespace of `pid`. */
export interface SocketLookup {
  resolve(inodes: Iterable<number>, options?: { pid?: number }): Map<number, SocketInfo>;
  resolveAsync(
    inodes: Iterable<number>,
    options?: { pid?: number },
  ): Promise<Map<number, SocketInfo>>;
}

let shared: SocketResolver | undefined;

/**
 * The lookup a Process uses when its options name none: one SocketResolver for the whole
 * program, made on first use (it keeps a netlink socket open). Only for the machine's own /proc:
 * a ProcFS on another root (a fixture, /host/proc) gets no default, since the kernel this program
 * asks would not be the one that wrote those files.
 */
export function defaultSocketLookup(procfs: ProcFS): SocketLookup | undefined {
  return defaultSocketResolver(procfs);
}

/**
 * That same shared SocketResolver, with its whole API (`list`, ...); only for the live /proc: not
 * for captured data (a snapshot's backend, whatever its root) either, whose sockets this kernel
 * never had: pass a resolver over its own tables (`backend: 'procfs'`).
 */
export function defaultSocketResolver(procfs: ProcFS): SocketResolver | undefined {
  if (procfs.root !== '/proc' || procfs.backend.machineFacts?.capturedAt !== undefined)
    return undefined;
  shared ??= new SocketResolver({ procfs });
  return shared;
}
