import { ParseError, type ProcFileKind } from '@procmon/parse';
import type { SocketEntry } from '../types.js';

/**
 * The kernel answered a request with NLMSG_ERROR (or a socket call failed): `errno` is the
 * positive error number, `code` its name (`ENOENT`: no diag handler for that family or
 * protocol, or no such socket for an exact lookup; `EPERM`, `EINVAL`, ...).
 */
export class NetlinkError extends Error {
  override name = 'NetlinkError';
  readonly errno: number;
  readonly code: string;

  constructor(message: string, errno: number, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.errno = errno;
    this.code = code;
  }
}

/**
 * A netlink reply did not have the shape the kernel writes: a message shorter than its header,
 * a length running past the datagram, an attribute past its message, a datagram larger than the
 * receive buffer. `kind` names the socket table being read (`net/tcp`, `net/udp`, `net/raw`,
 * `net/unix`), `offset` the byte in the datagram.
 */
export class NetlinkParseError extends ParseError {
  override readonly name = 'ParseError';
  readonly source = 'netlink';

  constructor(kind: ProcFileKind, message: string, bytes: Uint8Array, offset: number) {
    super(kind, `netlink: ${message}`, bytes, offset);
  }
}

/**
 * A dump carried NLM_F_DUMP_INTR: the table changed while the kernel walked it, so an entry may
 * be missing or seen twice. `partial` holds what the call had read when it gave up (deduplicated,
 * earlier tables included), in the order read: for `resolve` the sockets found so far (one per
 * wanted inode), for `list` every entry so far (an array, since the TIME_WAIT sockets and
 * connection requests all have inode 0). The resolver retries such a dump once before throwing
 * this.
 */
export class DumpInterruptedError extends Error {
  override name = 'DumpInterruptedError';
  readonly partial: SocketEntry[];
  readonly table: string;

  constructor(table: string, partial: SocketEntry[]) {
    super(
      `the ${table} dump was interrupted by a change of the table (NLM_F_DUMP_INTR), twice; ${partial.length} entries read`,
    );
    this.table = table;
    this.partial = partial;
  }
}

/**
 * Checks the fixed part of a `struct` message (`inet_diag_msg`, `unix_diag_msg`) at `start`: at
 * least `size` bytes, and of one of `families`; throws NetlinkParseError otherwise.
 */
export function checkMessageHead(
  kind: ProcFileKind,
  struct: string,
  size: number,
  families: readonly number[],
  bytes: Uint8Array,
  start: number,
  length: number,
): void {
  if (length < size) {
    const message = `${struct} of ${length} bytes, shorter than its ${size}`;
    throw new NetlinkParseError(kind, message, bytes, start);
  }
  const family = bytes[start] as number;
  if (!families.includes(family)) {
    throw new NetlinkParseError(kind, `${struct} of family ${family}`, bytes, start);
  }
}
