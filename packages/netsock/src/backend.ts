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

/**
 * One NETLINK_SOCK_DIAG socket: in the caller's network namespace, or (opened with a path to
 * `/proc/<pid>/ns/net`) bound for life to that namespace.
 */
export class NetlinkChannel implements DiagChannel {
  readonly buffer = new Uint8Array(RECEIVE_BUFFER_BYTES);
  readonly view = new DataView(this.buffer.buffer);
  readonly unsupported = new Set<string>();
  /** The socket's netlink port id: the nlmsg_pid of every reply the kernel sends it. */
  readonly portId: number;
  private fd: number;
  // Sequence numbers start at a random value, so a reply cannot be guessed from a count.
  private seq = randomInt(0x100000000);

  constructor(
    private readonly addon: NetsockAddon,
    namespacePath?: string,
  ) {
    try {
      this.fd = namespacePath === undefined ? addon.open() : addon.open(namespacePath);
    } catch (error) {
      throw addonError(error, 'cannot open a NETLINK_SOCK_DIAG socket');
    }
    try {
      this.portId = addon.portId(this.fd);
    } catch (error) {
      addon.close(this.fd);
      throw addonError(error, 'cannot read the netlink port id');
    }
  }

  get closed(): boolean {
    return this.fd < 0;
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
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    this.addon.close(fd);
  }
}
