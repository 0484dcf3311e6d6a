// Where a call reads its socket tables: the resolver's netlink channel in this network namespace,
// a channel opened inside another process's namespace (kept, least recently used closed first),
// or /proc/<pid>/net when netlink cannot be used there. Each choice says why.
import type { ProcFS } from '@procmon/procfs';
import type { NetsockAddon } from './addon.js';
import { NetlinkChannel } from './backend.js';
import { NetlinkError } from './netlink/errors.js';
import { ownNetNamespace } from './own-namespace.js';

/** Where one call reads its tables: a netlink channel, or `/proc/<pid>/net`. */
export type Source =
  | { backend: 'netlink'; channel: NetlinkChannel; pid: number | undefined; reason: string }
  | { backend: 'procfs'; pid: number | undefined; reason: string };

// At most this many sockets in other network namespaces stay open (least recently used closes).
const MAX_FOREIGN_CHANNELS = 16;

/** The channels of one resolver. */
export class Channels {
  #home: NetlinkChannel | undefined;
  // Channels into other network namespaces, by the namespace's link text (`net:[4026532290]`);
  // 'denied' when setns is not allowed (no CAP_SYS_ADMIN): /proc/<pid>/net is read instead.
  readonly #foreign = new Map<string, NetlinkChannel | 'denied'>();

  constructor(
    private readonly procfs: ProcFS,
    /**
     * The addon when the resolver's backend is netlink, else undefined (procfs everywhere). Asked
     * at each call: the resolver's tests put a wrapped addon in place after construction.
     */
    private readonly addonOf: () => NetsockAddon | undefined,
    /** Why the resolver's backend is what it is, for sources of the procfs backend. */
    private readonly reason: string,
  ) {}

  private get addon(): NetsockAddon | undefined {
    return this.addonOf();
  }

  /** The source for a call in the namespace of `pid` (the caller's when undefined). */
  sourceFor(pid: number | undefined): Source {
    if (pid !== undefined && (!Number.isSafeInteger(pid) || pid <= 0)) {
      throw new TypeError(`pid must be a positive integer, got ${String(pid)}`);
    }
    if (this.addon === undefined) return { backend: 'procfs', pid, reason: this.reason };
    if (pid === undefined) {
      return this.homeSource(undefined, "netlink in this process's network namespace");
    }
    let theirs: string;
    let ours: string;
    try {
      theirs = latin1(this.procfs.readNamespace(pid, 'net'));
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'an error';
      return {
        backend: 'procfs',
        pid,
        reason: `${this.procfs.pathOf(pid, 'ns', 'net')} cannot be read (${code}): its namespace is unknown, so /proc/${pid}/net is read`,
      };
    }
    try {
      ours = latin1(this.procfs.readNamespace('self', 'net'));
    } catch {
      // A root that is not this machine's /proc (a container's view of its host) may have no
      // `self` of ours: this process's own /proc says.
      ours = ownNetNamespace();
    }
    if (theirs === ours) {
      return this.homeSource(pid, 'netlink: the process shares this network namespace');
    }
    const channel = this.foreignChannel(theirs, pid);
    if (typeof channel === 'string') return { backend: 'procfs', pid, reason: channel };
    return {
      backend: 'netlink',
      channel,
      pid,
      reason: `netlink inside the process's network namespace (${theirs}, opened with setns)`,
    };
  }

  /** Closes a channel that failed, so the next call opens a new one. */
  drop(channel: NetlinkChannel): void {
    channel.close();
    if (this.#home === channel) this.#home = undefined;
    for (const [key, value] of this.#foreign) if (value === channel) this.#foreign.delete(key);
  }

  /** Closes every channel; a later call opens them again. */
  close(): void {
    this.#home?.close();
    this.#home = undefined;
    for (const channel of this.#foreign.values()) if (channel !== 'denied') channel.close();
    this.#foreign.clear();
  }

  private homeSource(pid: number | undefined, reason: string): Source {
    if (this.#home === undefined || this.#home.closed) {
      this.#home = new NetlinkChannel(this.addon as NetsockAddon);
    }
    return { backend: 'netlink', channel: this.#home, pid, reason };
  }

  /** The channel into namespace `theirs` (opened through `pid`), or why /proc/<pid>/net is read. */
  private foreignChannel(theirs: string, pid: number): NetlinkChannel | string {
    let channel = this.#foreign.get(theirs);
    if (channel === undefined || (channel !== 'denied' && channel.closed)) {
      try {
        channel = new NetlinkChannel(
          this.addon as NetsockAddon,
          this.procfs.pathOf(pid, 'ns', 'net'),
        );
      } catch (error) {
        if (
          !(error instanceof NetlinkError) ||
          (error.code !== 'EPERM' && error.code !== 'EACCES')
        ) {
          const code = error instanceof NetlinkError ? error.code : 'an error';
          return `cannot open a netlink socket in ${theirs} (${code}), so /proc/${pid}/net is read`;
        }
        channel = 'denied';
      }
      this.#foreign.set(theirs, channel);
      if (this.#foreign.size > MAX_FOREIGN_CHANNELS) {
        const [oldestKey, oldest] = this.#foreign.entries().next().value as [
          string,
          NetlinkChannel | 'denied',
        ];
        if (oldest !== 'denied') oldest.close();
        this.#foreign.delete(oldestKey);
      }
    } else {
      // Most recently used last.
      this.#foreign.delete(theirs);
      this.#foreign.set(theirs, channel);
    }
    if (channel === 'denied') {
      return `process ${pid} is in another network namespace (${theirs}) and setns is not allowed (needs CAP_SYS_ADMIN): /proc/${pid}/net is read`;
    }
    return channel;
  }
}

const latin1 = (bytes: Uint8Array): string => String.fromCharCode(...bytes);
