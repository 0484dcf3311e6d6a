// Live-test support: a Python process holding known sockets (test/socket-holder.py), optionally
// started in a new network namespace, and the inode behind each of its descriptors.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ProcFS } from '@procmon/procfs';
import { afterAll, beforeAll } from 'vitest';
import { cleanup, firstLine, tempFolder, trackChild } from '../../../test-support/processes.js';
import { loadAddon, type NetsockAddon } from '../src/addon.js';
import { SocketResolver } from '../src/resolver.js';
import type { SocketResolverOptions } from '../src/types.js';

export { cleanup };

const holderScript = fileURLToPath(new URL('./socket-holder.py', import.meta.url));
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** One socket the holder opened. */
export interface HeldSocket {
  fd: number;
  inode: number;
  local?: [string, number];
  remote?: [string, number] | null;
  path?: string;
  abstract?: string;
}

export interface Holder {
  child: ChildProcess;
  pid: number;
  sockets: Record<string, HeldSocket>;
}

export const isRoot = process.getuid?.() === 0;
/** Whether `unshare -n` works here (root, and a kernel that allows new network namespaces). */
export const canUnshare =
  isRoot && spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' }).status === 0;

/**
 * Starts the holder (inside a new network namespace with loopback up when `newNetns`), waits for
 * its JSON line and reads each socket's inode from /proc/<pid>/fd.
 */
export async function startHolder(newNetns = false): Promise<Holder> {
  const folder = tempFolder('netsock-');
  const child = trackChild(
    newNetns
      ? spawn(
          'unshare',
          ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', PYTHON, holderScript, folder],
          { stdio: ['pipe', 'pipe', 'pipe'] },
        )
      : spawn(PYTHON, [holderScript, folder], { stdio: ['pipe', 'pipe', 'pipe'] }),
  );
  let errors = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    errors += chunk;
  });
  const line = await firstLine(child).catch((error: Error) => {
    throw new Error(`socket holder: ${error.message}; stderr: ${errors}`);
  });
  const described = JSON.parse(line) as Record<string, Omit<HeldSocket, 'inode'>>;
  const pid = child.pid as number;
  const sockets: Record<string, HeldSocket> = {};
  for (const [name, socket] of Object.entries(described)) {
    const target = readlinkSync(`/proc/${pid}/fd/${socket.fd}`);
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (!match) throw new Error(`fd ${socket.fd} of the holder is ${target}, not a socket`);
    sockets[name] = { ...socket, inode: Number(match[1]) };
  }
  return { child, pid, sockets };
}

/** How {@link withNetFiles} changes a ProcFS's reads of /proc/<pid>/net files. */
export interface NetFileHooks {
  /** Bytes to give for `name` without reading it; undefined: read it. */
  instead?: (name: string) => Uint8Array | undefined;
  /** What to give for the bytes read (other bytes, or a throw). */
  change?: (name: string, bytes: Uint8Array) => Uint8Array;
}

/**
 * `procfs` with its reads of /proc/<pid>/net files going through `hooks`: the flow behind both
 * readNetFile and promises.readNetFile, so sync and async calls see the same files.
 */
export function withNetFiles(procfs: ProcFS, hooks: NetFileHooks): ProcFS {
  const read = procfs.flows.readNetFile;
  procfs.flows.readNetFile = function* (name, pid, options) {
    const given = hooks.instead?.(name);
    if (given !== undefined) return given;
    const bytes = yield* read(name, pid, options);
    return hooks.change === undefined ? bytes : hooks.change(name, bytes);
  };
  return procfs;
}

/** The loaded addon; throws where it does not load (tests using it are skipped there). */
export function realAddon(): NetsockAddon {
  const loaded = loadAddon();
  if ('error' in loaded) throw new Error(loaded.error);
  return loaded.addon;
}

/**
 * A netlink resolver whose addon is `addon` (by default the real one with `changes`), put in
 * place before its first call opens a socket.
 */
export function resolverWithAddon(
  changes: Partial<NetsockAddon>,
  options: Omit<SocketResolverOptions, 'backend'> = {},
  addon: NetsockAddon = { ...realAddon(), ...changes },
): SocketResolver {
  const resolver = new SocketResolver({ ...options, backend: 'netlink' });
  Object.assign(resolver, { addon });
  return resolver;
}

/**
 * The holder of a test file: started before its tests (beforeAll), ended after them (afterAll).
 * Its fields may be read once the tests run.
 */
export function liveHolder(): Holder {
  let started: Holder | undefined;
  beforeAll(async () => {
    started = await startHolder();
  });
  afterAll(cleanup);
  const get = (): Holder => {
    if (started === undefined) throw new Error('the holder starts in beforeAll');
    return started;
  };
  return {
    get child() {
      return get().child;
    },
    get pid() {
      return get().pid;
    },
    get sockets() {
      return get().sockets;
    },
  };
}
