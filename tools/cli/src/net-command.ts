// `procmon net`: every socket of the machine with the processes that hold it, as `ss -tunapx`
// and `lsof -i` show them. Collected here (one `connections()` of @procmon/process: one dump per
// table and one walk of every process's descriptors), chosen by the filters, named (users,
// programs), and drawn in net-format.ts.
import type { SocketEntry } from '@procmon/netsock';
import type { SocketHolder } from '@procmon/process';
import type { NetProtocol } from './net-arguments.js';
import { holderPrograms, type Program, programKey } from './net-programs.js';
import { type DataSource, liveSource, tablesFrom } from './source-option.js';
import { GETENT, type UserLookupCommand } from './users.js';

export interface NetOptions {
  protocols?: readonly NetProtocol[] | undefined;
  /** States as `--state` gives them: uppercase, `UNCONN` for an unconnected datagram socket. */
  states?: readonly string[] | undefined;
  /** A port, local or remote. */
  port?: number | undefined;
  /** Only sockets held by these processes (and only those holders shown). */
  pids?: readonly number[] | undefined;
  /** Only sockets held by processes of these users (names or uids); for a socket nobody visibly holds, its owner. */
  users?: readonly string[] | undefined;
  /** Where user names come from (tests give a stub). */
  lookup?: UserLookupCommand | undefined;
  /** Where the data comes from: a snapshot (`--from`), else this machine (with `lookup`). */
  source?: DataSource | undefined;
}

/** A holder as shown: the process's identity, its user and its program. */
export interface NetHolder extends SocketHolder {
  user?: string | undefined;
  program?: Program | undefined;
}

export interface NetSocket {
  socket: SocketEntry;
  /** The socket owner's name (its uid from the kernel). */
  user?: string | undefined;
  holders: NetHolder[];
}

export interface NetReport {
  sockets: NetSocket[];
  /**
   * Processes whose descriptors could not be read: a socket shown with no holder may be held by
   * one of them.
   */
  unreadable: number[];
}

export async function listConnections(options: NetOptions = {}): Promise<NetReport> {
  const { connectionsReportAsync } = await import('@procmon/process');
  const source = options.source ?? liveSource(options.lookup ?? GETENT);
  const wantedUids =
    options.users === undefined
      ? undefined
      : new Set(options.users.map((user) => source.names.uidOfUser(user)));
  const asked = options.protocols === undefined ? undefined : [...new Set(options.protocols)];
  const tables = source.snapshot ? tablesFrom(source.snapshot, asked) : asked;
  const found = await connectionsReportAsync({
    ...(tables === undefined ? {} : { tables }),
    procfs: source.procfs,
    resolver: source.resolver,
  });
  const chosen: { socket: SocketEntry; holders: SocketHolder[] }[] = [];
  for (const { socket, holders } of found.connections) {
    if (!socketMatches(socket, options)) continue;
    let shown = holders;
    if (options.pids !== undefined) {
      const pids = new Set(options.pids);
      shown = shown.filter((holder) => pids.has(holder.pid));
      if (shown.length === 0) continue;
    }
    if (wantedUids !== undefined) {
      if (holders.length === 0) {
        if (!wantedUids.has(socket.uid)) continue;
      } else {
        shown = shown.filter((holder) => wantedUids.has(holder.uid));
        if (shown.length === 0) continue;
      }
    }
    chosen.push({ socket, holders: shown });
  }
  const names = source.names.users(
    chosen.flatMap(({ socket, holders }) => [socket.uid, ...holders.map((h) => h.uid)]),
  );
  const programs = holderPrograms(
    chosen.flatMap(({ socket, holders }) => holders.map((h) => ({ ...h, inode: socket.inode }))),
    source.procfs,
  );
  return {
    sockets: chosen.map(({ socket, holders }) => ({
      socket,
      user: names.get(socket.uid),
      holders: holders.map((holder) => ({
        ...holder,
        user: names.get(holder.uid),
        program: programs.get(programKey(holder)),
      })),
    })),
    unreadable: found.unreadable,
  };
}

/** The state as shown: UNCONN for a datagram socket that has no peer (ss's word). */
export function shownState(socket: SocketEntry): string {
  const datagram = socket.protocol !== 'tcp' && socket.family !== 'unix';
  return datagram && socket.state === 'CLOSE' && !socket.remotePort ? 'UNCONN' : socket.state;
}

function socketMatches(socket: SocketEntry, options: NetOptions): boolean {
  if (options.states !== undefined && !options.states.includes(shownState(socket))) return false;
  if (
    options.port !== undefined &&
    socket.localPort !== options.port &&
    socket.remotePort !== options.port
  ) {
    return false;
  }
  return true;
}
