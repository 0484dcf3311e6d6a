// The ops carried out with node:fs: the pure-Node backend, used when no native one is loaded.
// Errors are returned, not thrown: the flow that asked decides what an errno means.
import { readdir, readdirSync, readlink, readlinkSync, statSync } from 'node:fs';
import { stat as statAsync } from 'node:fs/promises';
import { joinRoot } from './context.js';
import type { Backend } from './flow.js';
import { type FileStat, failed, type LinkEntries, type Op, type Outcome, ok } from './ops.js';
import { socketsNotSupported } from './process-sockets.js';
import { readFileToEnd, readFileToEndAsync } from './read-file.js';
import { readRangesAsync, readRangesSync } from './read-ranges.js';

// Link targets are read as latin1 strings: one character per byte, so nothing is lost.
const LINK_ENCODING = 'latin1';

export const nodeBackend: Backend = {
  name: 'node',

  perform(op: Op, root: string): Outcome {
    const path = joinRoot(root, op.path);
    try {
      switch (op.kind) {
        case 'read':
          return ok(readFileToEnd({ path: path as string, maxBytes: op.maxBytes }));
        case 'readlink':
          return ok(latin1Bytes(readlinkSync(path, LINK_ENCODING)));
        case 'readdir':
          return ok(readdirSync(path));
        case 'links':
          return ok(linksSync(path as string));
        case 'stat':
          return ok(fileStat(statSync(path, { bigint: true })));
        case 'ranges':
          return ok(readRangesSync(path as string, op.ranges));
        case 'sockets':
          return failed(socketsNotSupported());
      }
    } catch (error) {
      return failed(error);
    }
  },

  async performAsync(op: Op, root: string): Promise<Outcome> {
    const path = joinRoot(root, op.path);
    try {
      switch (op.kind) {
        case 'read':
          return ok(await readFileToEndAsync({ path: path as string, maxBytes: op.maxBytes }));
        case 'readlink':
          return ok(latin1Bytes(await readlinkAsync(path)));
        case 'readdir':
          return ok(await readdirAsync(path as string));
        case 'links':
          return ok(await linksAsync(path as string));
        case 'stat':
          return ok(fileStat(await statAsync(path, { bigint: true })));
        case 'ranges':
          return ok(await readRangesAsync(path as string, op.ranges));
        case 'sockets':
          return failed(socketsNotSupported());
      }
    } catch (error) {
      return failed(error);
    }
  },
};

function fileStat(stats: import('node:fs').BigIntStats): FileStat {
  return {
    dev: stats.dev,
    ino: stats.ino,
    nlink: stats.nlink,
    mode: Number(stats.mode),
    uid: Number(stats.uid),
    size: stats.size,
    mtimeNs: stats.mtimeNs,
    ctimeNs: stats.ctimeNs,
  };
}

/** A folder's links, read one after the other; a link gone meanwhile is left out. */
function linksSync(folder: string): LinkEntries {
  const names: string[] = [];
  const targets: LinkEntries['targets'] = [];
  let vanished = false;
  for (const name of readdirSync(folder)) {
    try {
      targets.push(readlinkSync(`${folder}/${name}`, LINK_ENCODING));
      names.push(name);
    } catch (error) {
      if (isVanished(error)) {
        vanished = true;
        continue;
      }
      targets.push(error as NodeJS.ErrnoException);
      names.push(name);
    }
  }
  return { names, targets, vanished };
}

/** The same with every readlink in flight at once. */
async function linksAsync(folder: string): Promise<LinkEntries> {
  const listed = await readdirAsync(folder);
  const read = await Promise.all(
    listed.map((name) =>
      readlinkAsync(`${folder}/${name}`).then(
        (target): string | NodeJS.ErrnoException | undefined => target,
        (error: NodeJS.ErrnoException) => (isVanished(error) ? undefined : error),
      ),
    ),
  );
  const names: string[] = [];
  const targets: LinkEntries['targets'] = [];
  read.forEach((target, i) => {
    if (target === undefined) return;
    names.push(listed[i] as string);
    targets.push(target);
  });
  return { names, targets, vanished: names.length < listed.length };
}

/** A descriptor closed between the listing and its readlink: it no longer exists. */
function isVanished(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ESRCH';
}

/**
 * A plain Uint8Array over a new ArrayBuffer holding a latin1 string's bytes: never a view into
 * Node's shared Buffer pool, where `.buffer` would reach other data of this process.
 */
function latin1Bytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function readlinkAsync(path: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    readlink(path, LINK_ENCODING, (error, target) => (error ? reject(error) : resolve(target)));
  });
}

function readdirAsync(path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    readdir(path, (error, names) => (error ? reject(error) : resolve(names)));
  });
}
