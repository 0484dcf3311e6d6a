// A process's socket descriptors as node:fs reads them (`/proc/<pid>/fd/N` → `socket:[inode]`):
// the known truth that socket lookups are checked against.
import { readdirSync, readlinkSync } from 'node:fs';

/** Every socket descriptor of `pid`, in fd order; a descriptor closed meanwhile is left out. */
export function socketLinks(pid: number): { fd: number; inode: number }[] {
  const found: { fd: number; inode: number }[] = [];
  for (const name of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${name}`);
    } catch {
      continue;
    }
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match) found.push({ fd: Number(name), inode: Number(match[1]) });
  }
  return found.sort((a, b) => a.fd - b.fd);
}

/** The fds of `pid` that hold the socket `inode`, in fd order. */
export function fdsHolding(pid: number, inode: number): number[] {
  return socketLinks(pid)
    .filter((link) => link.inode === inode)
    .map((link) => link.fd);
}
