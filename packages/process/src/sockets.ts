// The extension point for sockets behind descriptors. @procmon/netsock's SocketResolver fits it;
// any object with the same two methods does (a test double, a resolver with its own cache).

/** What the process model needs to know of a socket; @procmon/netsock's SocketEntry has it all. */
export interface SocketInfo {
  family: string;
  protocol: string;
  inode: number;
  state: string;
  uid?: number;
  localAddress?: string;
  localPort?: number;
  remoteAddress?: string;
  remotePort?: number;
  path?: string;
}

/** Resolves socket inodes to connections, in the network namespace of `pid`. */
export interface SocketLookup {
  resolve(inodes: Iterable<number>, options?: { pid?: number }): Map<number, SocketInfo>;
  resolveAsync(
    inodes: Iterable<number>,
    options?: { pid?: number },
  ): Promise<Map<number, SocketInfo>>;
}
