import { randomInt } from 'node:crypto';
import { addonError, loadAddon, type NetsockAddon } from './addon.js';
import type { DiagChannel } from './netlink/tables.js';
import type { SocketBackendName } from './types.js';

/** Which backend `auto` picks in this process, and why. */
export interface BackendChoice {
  name: SocketBackendName;
  reason: string;
}

let choice: BackendChoice | undefined;

/**
 * The backend `new SocketResolver()` uses here, and why: `netlink` when the native addon loads and
 * a NETLINK_SOCK_DIAG socket opens, else `procfs` with the reason (addon not built, socket
 * refused by a seccomp filter, ...). Checked once per process.
 */
export function netsockBackend(): BackendChoice {
  if (choice !== undefined) return choice;
  const loaded = loadAddon();
  if ('error' in loaded) {
    choice = { name: 'procfs', reason: `${loaded.error}; reading /proc/<pid>/net/* instead` };
    return choice;
  }
  try {
    loaded.addon.close(loaded.addon.open());
    choice = {
      name: 'netlink',
      reason: 'native addon loaded and a NETLINK_SOCK_DIAG socket opened',
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    choice = {
      name: 'procfs',
      reason: `a NETLINK_SOCK_DIAG socket cannot be opened (${message}); reading /proc/<pid>/net/* instead`,
    };
  }
  return choice;
}

const RECEIVE_BUFFER_BYTES = 64 * 1024;

/** What closing a channel's socket needs, held apart from the channel so the channel can be collected. */
interface SocketHandle {
  addon: NetsockAddon;
  fd: number;
}

// A channel that is dropped without close() (a SocketResolver never closed) has its socket
// closed once the garbage collector takes it.
const unclosed = new FinalizationRegistry<SocketHandle>((handle) => {
  if (handle.fd < 0) return;
  const fd = handle.fd;
  handle.fd = -1;
  try {
    handle.addon.close(fd);
  } catch {
    // Nothing to report to: the socket is gone either way.
  }
});

/**
 * One NETLINK_SOCK_DIAG socket: in the caller's network namespace, or (opened with a path to
 * `/proc/<pid>/ns/net`) bound for life to that namespace. `close()` closes the socket; a channel
 * collected without it has its socket closed by a FinalizationRegistry.
 */
export class NetlinkChannel implements DiagChannel {
  readonly buffer = new Uint8Array(RECEIVE_BUFFER_BYTES);
  readonly view = new DataView(this.buffer.buffer);
  readonly unsupported = new Set<string>();
  readonly supported = new Set<string>();
  /** The socket's netlink port id: the nlmsg_pid of every reply the kernel sends it. */
  readonly portId: number;
  private readonly handle: SocketHandle;
  // Sequence numbers start at a random value, so a reply cannot be guessed from a count.
  private seq = randomInt(0x100000000);

  constructor(
    private readonly addon: NetsockAddon,
    namespacePath?: string,
  ) {
    let fd: number;
    try {
      fd = namespacePath === undefined ? addon.open() : addon.open(namespacePath);
    } catch (error) {
      throw addonError(error, 'cannot open a NETLINK_SOCK_DIAG socket');
    }
    try {
      this.portId = addon.portId(fd);
    } catch (error) {
      addon.close(fd);
      throw addonError(error, 'cannot read the netlink port id');
    }
    this.handle = { addon, fd };
    unclosed.register(this, this.handle, this.handle);
  }

  get closed(): boolean {
    return this.handle.fd < 0;
  }

  private get fd(): number {
    return this.handle.fd;
  }

  nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0 || 1;
    return this.seq;
  }

  send(bytes: Uint8Array): void {
    try {
      this.addon.send(this.fd, bytes);
    } catch (error) {
      throw addonError(error, 'netlink send');
    }
  }

  recv(buffer: Uint8Array): number {
    try {
      return this.addon.recv(this.fd, buffer);
    } catch (error) {
      throw addonError(error, 'netlink recv');
    }
  }

  close(): void {
    if (this.handle.fd < 0) return;
    const fd = this.handle.fd;
    this.handle.fd = -1;
    unclosed.unregister(this.handle);
    this.addon.close(fd);
  }
}
