// Values of the model written as text for the page: descriptors' targets, sockets, sizes, times.
// What a process chose stays raw here; dom.ts escapes it when it is shown.
import { formatConnection, type SocketEntry } from '@procmon/netsock';
import type { FdTarget } from '@procmon/parse';
import type { SnapshotManifest } from '@procmon/snapshot/read';

export function targetText(target: FdTarget): string {
  switch (target.type) {
    case 'socket':
      return `socket:[${target.inode}]`;
    case 'pipe':
      return `pipe:[${target.inode}]`;
    case 'anon_inode':
      return target.bracketed ? `anon_inode:[${target.name}]` : `anon_inode:${target.name}`;
    case 'memfd':
      return `/memfd:${target.name} (deleted)`;
    case 'namespace':
      return `${target.namespace}:[${target.inode}]`;
    case 'file':
      return target.deleted ? `${target.path} (deleted)` : target.path;
    case 'unknown':
      return target.raw;
  }
}

/** One socket as ss writes it (`tcp 127.0.0.1:80 -> 0.0.0.0:* LISTEN`); names already escaped. */
export function socketText(socket: SocketEntry): string {
  return formatConnection(socket);
}

/** A socket's local or remote end as `address:port` (IPv6 in brackets), `*` for port 0. */
export function endpointText(socket: SocketEntry, end: 'local' | 'remote'): string {
  if (socket.family === 'unix') {
    if (end === 'remote') return socket.peerInode ? `socket:[${socket.peerInode}]` : '';
    if (socket.path === undefined) return '(unnamed)';
    return socket.abstract ? `@${socket.path}` : socket.path;
  }
  const address = end === 'local' ? socket.localAddress : socket.remoteAddress;
  const port = end === 'local' ? socket.localPort : socket.remotePort;
  const host = socket.family === 'inet6' ? `[${address ?? '::'}]` : (address ?? '0.0.0.0');
  return `${host}:${port ? port : '*'}`;
}

/** Bytes as people read them: 1536 → `1.5 KiB`. */
export function bytesText(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** When a process started, from its start time in ticks and the captured machine's facts. */
export function startText(startTime: number, manifest: SnapshotManifest): string {
  const seconds = manifest.bootTimeSeconds + startTime / manifest.clockTicks;
  const date = new Date(Math.round(seconds * 1000));
  return Number.isNaN(date.getTime()) ? `${startTime} ticks after boot` : date.toISOString();
}
