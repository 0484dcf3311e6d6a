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
  private seq = crypto.getRandomValues(new Uint32Array(1))[0] as number;
  // Async calls and exchanges using the socket now: close() waits for the last (see hold).
  private holds = 0;
  private closing = false;
  // The end of the last async exchange queued: one exchange at a time on a socket, or two
  // replies would be received by whichever recv came first.
  private queue: Promise<unknown> = Promise.resolve();
  /** Present when the addon can make a whole exchange off this thread (see DiagChannel). */
  readonly exchangeAsync?: (request: Uint8Array, seq: number) => Promise<ArrayBuffer>;

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
    if (addon.exchangeAsync !== undefined) {
      this.exchangeAsync = (request, seq) => this.queueExchange(request, seq);
    }
    unclosed.register(this, this.handle, this.handle);
  }

  /** Closed, or closing once the async calls using it end: a new call opens another. */
  get closed(): boolean {
    return this.handle.fd < 0 || this.closing;
  }

  /**
   * An async call uses the socket until `release`: a close() meanwhile closes it only then, so
   * the call ends on the socket it began on (and a descriptor number is never reused under an
   * exchange still running on libuv's thread pool).
   */
  hold(): void {
    this.holds++;
  }

  release(): void {
    this.holds--;
    if (this.holds === 0 && this.closing) {
      this.closing = false;
      this.close();
    }
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

  /** A whole exchange on libuv's thread pool, queued behind the others of this socket. */
  private queueExchange(request: Uint8Array, seq: number): Promise<ArrayBuffer> {
    const addon = this.addon;
    this.hold();
    const run = async () => {
      try {
        return await (addon.exchangeAsync as NonNullable<NetsockAddon['exchangeAsync']>)(
          this.fd,
          request,
          seq,
          this.portId,
          this.buffer.length,
        );
      } catch (error) {
        throw addonError(error, 'netlink exchange');
      }
    };
    const done = this.queue.then(run, run);
    this.queue = done.then(
      () => this.release(),
      () => this.release(),
    );
    return done;
  }

  close(): void {
    if (this.holds > 0) {
      this.closing = true;
      return;
    }
    if (this.handle.fd < 0) return;
    const fd = this.handle.fd;
    this.handle.fd = -1;
    unclosed.unregister(this.handle);
    this.addon.close(fd);
  }
}
