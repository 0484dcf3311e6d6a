import { parseFdTarget } from '@procmon/parse';
import { type ProcFS, procfsOf } from '@procmon/procfs';
import { loadAddon, type NetsockAddon } from './addon.js';
import { HOST_LITTLE_ENDIAN } from './netlink/message.js';
import type { SocketEntry } from './types.js';

/** A socket descriptor of a process: its number and the socket's inode. */
export interface SocketDescriptor {
  fd: number;
  inode: number;
  /** The socket behind it, when a table has it (`SocketResolver.socketsOf` looks it up). */
  socket?: SocketEntry;
}

// "socket:[" in bytes.
const PREFIX = [0x73, 0x6f, 0x63, 0x6b, 0x65, 0x74, 0x3a, 0x5b];
let buffer = new Uint8Array(256 * 1024);
let view = new DataView(buffer.buffer);

/**
 * The socket descriptors of a process. With the addon, one getdents64 + readlinkat pass over
 * `/proc/<pid>/fd` in native code (the link targets come back raw and are read here); without
 * it, or when that fails, `procfs.listFds` (whose typed errors then say what went wrong: the
 * process is gone, permission denied).
 */
export function socketDescriptors(
  procfs: ProcFS,
  addon: NetsockAddon | undefined,
  pid: number,
): SocketDescriptor[] {
  if (addon !== undefined) {
    const native = nativeList(addon, procfs.pathOf(pid, 'fd'));
    if (native !== undefined) return native;
  }
  return fromEntries(procfs.listFds(pid));
}

/**
 * The same with procfs's asynchronous listing, or the addon's on libuv's thread pool (`listAsync`):
 * the event loop stays free either way. The listing starts before this returns, so a caller can
 * do other work before awaiting it.
 */
export async function socketDescriptorsAsync(
  procfs: ProcFS,
  addon: NetsockAddon | undefined,
  pid: number,
): Promise<SocketDescriptor[]> {
  if (addon !== undefined) {
    let native: SocketDescriptor[] | undefined;
    if (typeof addon.listAsync === 'function') {
      try {
        const bytes = new Uint8Array(await addon.listAsync(procfs.pathOf(pid, 'fd')));
        native = decodeRecords(bytes, new DataView(bytes.buffer), bytes.length);
      } catch {
        native = undefined; // procfs reads it again and names the error
      }
    } else {
      native = nativeList(addon, procfs.pathOf(pid, 'fd'));
    }
    if (native !== undefined) return native;
  }
  return fromEntries(await procfs.promises.listFds(pid));
}

/** A listing running on a native thread: `join()` waits for it, and must be called once. */
export interface PendingDescriptors {
  /** What `socketDescriptors` would have returned (or thrown) for the same process. */
  join(): SocketDescriptor[];
}

/**
 * Starts `socketDescriptors` on a native thread (the addon's `listStart`), so the caller can do
 * other work (dump socket tables) while the kernel walks `/proc/<pid>/fd`. undefined when the
 * addon has no such call or no thread can be started: list the usual way then.
 */
export function startSocketDescriptors(
  procfs: ProcFS,
  addon: NetsockAddon,
  pid: number,
): PendingDescriptors | undefined {
  const { listStart, listJoin } = addon;
  if (typeof listStart !== 'function' || typeof listJoin !== 'function') return undefined;
  let handle: unknown;
  try {
    handle = listStart.call(addon, procfs.pathOf(pid, 'fd'));
  } catch {
    return undefined;
  }
  if (handle === undefined) return undefined;
  return {
    join() {
      let native: SocketDescriptor[] | undefined;
      try {
        let used = listJoin.call(addon, handle, buffer);
        if (used > buffer.length) {
          grow(used);
          used = listJoin.call(addon, handle, buffer);
        }
        native = decodeRecords(buffer, view, used);
      } catch {
        native = undefined; // procfs.listFds reads it again and names the error
      }
      return native ?? fromEntries(procfs.listFds(pid));
    },
  };
}

function grow(atLeast: number): void {
  let size = buffer.length * 2;
  while (size < atLeast) size *= 2;
  buffer = new Uint8Array(size);
  view = new DataView(buffer.buffer);
}

function fromEntries(
  entries: { fd: number; target: Uint8Array; error?: unknown }[],
): SocketDescriptor[] {
  const out: SocketDescriptor[] = [];
  for (const entry of entries) {
    if (entry.error !== undefined) continue;
    const target = parseFdTarget(entry.target);
    if (target.type === 'socket') out.push({ fd: entry.fd, inode: target.inode });
  }
  return out;
}

function nativeList(addon: NetsockAddon, folder: string): SocketDescriptor[] | undefined {
  let used: number;
  try {
    for (;;) {
      used = addon.readlinks(folder, buffer);
      if (used >= 0) break;
      if (buffer.length >= 64 * 1024 * 1024) return undefined;
      grow(buffer.length * 2);
    }
  } catch {
    return undefined; // procfs.listFds reads it again and names the error
  }
  return decodeRecords(buffer, view, used);
}

/** The socket descriptors among the addon's records (u32 fd, u32 length, target, padded to 4). */
function decodeRecords(bytes: Uint8Array, records: DataView, used: number): SocketDescriptor[] {
  const out: SocketDescriptor[] = [];
  for (let at = 0; at < used; ) {
    const fd = records.getUint32(at, HOST_LITTLE_ENDIAN);
    const length = records.getUint32(at + 4, HOST_LITTLE_ENDIAN);
    const start = at + 8;
    const end = start + length;
    at = (end + 3) & ~3;
    const inode = socketInode(bytes, start, end);
    if (inode > 0) out.push({ fd, inode });
  }
  return out;
}

/** The N of `socket:[N]` in bytes[start, end), or 0 for any other target. */
function socketInode(bytes: Uint8Array, start: number, end: number): number {
  if (end - start < 10 || bytes[end - 1] !== 0x5d) return 0;
  for (let i = 0; i < 8; i++) if (bytes[start + i] !== PREFIX[i]) return 0;
  let inode = 0;
  for (let i = start + 8; i < end - 1; i++) {
    const digit = (bytes[i] as number) - 0x30;
    if (digit < 0 || digit > 9) return 0;
    inode = inode * 10 + digit;
  }
  // Anything odd (leading zeros, past 2^53) is read the careful way.
  if (inode > Number.MAX_SAFE_INTEGER || (bytes[start + 8] === 0x30 && end - start > 10)) {
    const target = parseFdTarget(bytes.subarray(start, end));
    return target.type === 'socket' ? target.inode : 0;
  }
  return inode;
}

/**
 * The socket descriptors (`{ fd, inode }`) of a process: the listing `SocketResolver.socketsOf`
 * starts with, natively when the addon is loaded, else through `procfs.listFds`.
 */
export function listSocketDescriptors(
  pid: number,
  options?: { procfs?: ProcFS },
): SocketDescriptor[] {
  const loaded = loadAddon();
  const procfs = procfsOf(options);
  return socketDescriptors(procfs, 'addon' in loaded ? loaded.addon : undefined, pid);
}
