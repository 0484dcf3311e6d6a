// `procmon net` for people: one row per socket and holder, in the order of `ss -tunap` (protocol,
// state, local, remote) then lsof's holder columns (pid, fd, user, program); a socket held by
// several processes (after fork, or passed over a unix socket) has a row for each, one nobody
// visibly holds a row with `-`. Endpoints as ss and lsof write them: `127.0.0.1:5432`,
// `[::1]:443`, `*:*` for no address or port.

import { type SocketEntry, unixNameText } from '@procmon/netsock';
import { escapeText } from '@procmon/parse';
import { drawTable, type RowWidth } from './columns.js';
import { pathText } from './format.js';
import { type NetHolder, type NetReport, shownState } from './net-command.js';

const HEADER = ['PROTO', 'STATE', 'LOCAL', 'REMOTE', 'PID', 'FD', 'USER', 'PROGRAM'];
const RIGHT_ALIGNED = new Set([4, 5]);

export function formatNet(report: NetReport, width: RowWidth): string {
  const rows: string[][] = [];
  for (const { socket, user, holders } of report.sockets) {
    const head = [protocolText(socket), shownState(socket), localText(socket), remoteText(socket)];
    if (holders.length === 0) {
      // -1: no owner known (/proc/net/unix has no uid column, so a snapshot's unix sockets).
      const owner = user ?? (socket.uid < 0 ? '-' : String(socket.uid));
      rows.push([...head, '-', '-', escapeText(owner), '-']);
      continue;
    }
    for (const holder of holders) rows.push([...head, ...holderCells(holder)]);
  }
  const lines = drawTable(HEADER, rows, { rightAligned: RIGHT_ALIGNED, width });
  return [...lines, ...unreadableLines(report.unreadable)].join('\n');
}

/** Shown at most: a machine may have many processes we may not read. */
const UNREADABLE_SHOWN = 10;

/** Why a row with no holder may still have one: the processes that could not be read. */
function unreadableLines(unreadable: readonly number[]): string[] {
  if (unreadable.length === 0) return [];
  const shown = unreadable.slice(0, UNREADABLE_SHOWN).join(', ');
  const more =
    unreadable.length > UNREADABLE_SHOWN
      ? `, and ${unreadable.length - UNREADABLE_SHOWN} more`
      : '';
  const count = unreadable.length === 1 ? '1 process' : `${unreadable.length} processes`;
  return [
    `the descriptors of ${count} could not be read (pid ${shown}${more}): a socket shown without a holder may be held by one of them`,
  ];
}

function holderCells(holder: NetHolder): string[] {
  const program =
    holder.program === undefined
      ? `[${escapeText(holder.comm)}]`
      : pathText(holder.program.path, holder.program.source, holder.comm);
  return [
    String(holder.pid),
    String(holder.fd),
    escapeText(holder.user ?? String(holder.uid)),
    program,
  ];
}

/** netstat's names: `tcp`, `tcp6`, `udp6`; ss's for unix: `u_str`, `u_dgr`, `u_seq`. */
export function protocolText(socket: SocketEntry): string {
  if (socket.family === 'unix') {
    return { stream: 'u_str', dgram: 'u_dgr', seqpacket: 'u_seq' }[socket.type ?? 'stream'];
  }
  return socket.family === 'inet6' ? `${socket.protocol}6` : socket.protocol;
}

/** An address and port: `*` for the wildcard address and for port 0, IPv6 in brackets. */
export function endpointText(
  family: SocketEntry['family'],
  address: string | undefined,
  port: number | undefined,
): string {
  const wildcard = address === undefined || address === '0.0.0.0' || address === '::';
  const host = wildcard ? '*' : family === 'inet6' ? `[${address}]` : address;
  return `${host}:${port ? port : '*'}`;
}

/** A unix socket's name (`@` for an abstract one, `*` when unnamed), else its address and port. */
function localText(socket: SocketEntry): string {
  if (socket.family !== 'unix') {
    return endpointText(socket.family, socket.localAddress, socket.localPort);
  }
  const doubt = socket.unverified ? ` (unverified: ${socket.unverified})` : '';
  return `${unixNameText(socket, '*')}${doubt}`;
}

/** A unix socket's peer as `socket:[inode]` (`*` for none), else the remote address and port. */
function remoteText(socket: SocketEntry): string {
  if (socket.family !== 'unix') {
    return endpointText(socket.family, socket.remoteAddress, socket.remotePort);
  }
  return socket.peerInode ? `socket:[${socket.peerInode}]` : '*';
}
