// The ops carried out by the native read core (native/procfs.c): one N-API call per op or per
// batch, and an async batch is one work item on libuv's thread pool instead of an open, reads
// and a close each crossing the event loop. Values and errors are shaped exactly as nodeBackend
// shapes them (the same errno-coded Errors, with code, errno, syscall and path), so flows and
// classify.ts cannot tell the two apart. `ranges` (positional reads of mem) goes to nodeBackend.
import { availableParallelism } from 'node:os';
import { getSystemErrorMap, inspect } from 'node:util';
import type { NativeBatch, NativeResult, ProcfsAddon } from './addon.js';
import { joinRoot } from './context.js';
import type { Backend } from './flow.js';
import { nodeBackend } from './node-backend.js';
import { type FileStat, failed, type LinkEntries, type Op, type Outcome, ok } from './ops.js';
import type { SocketDescriptors } from './process-sockets.js';
import { tooLarge } from './read-file.js';

type NativeOp = Exclude<Op, { kind: 'ranges' }>;

/** The op kinds as native/reads.h numbers them. */
const KINDS: Record<NativeOp['kind'], number> = {
  read: 0,
  readlink: 1,
  readdir: 2,
  links: 3,
  stat: 4,
  sockets: 5,
};

/** native/reads.h's syscall numbers, named as Node's fs errors name them. */
const SYSCALLS = ['', 'open', 'read', 'readlink', 'scandir', 'stat'];
const SYSCALL_CAP = 6;
const SYSCALL_NUL = 7;

const isNative = (op: Op): op is NativeOp => op.kind !== 'ranges';

/** A Backend over the addon. */
export function createNativeBackend(addon: ProcfsAddon): Backend {
  return {
    name: 'native',

    perform(op: Op, root: string): Outcome {
      if (!isNative(op)) return nodeBackend.perform(op, root);
      const path = joinRoot(root, op.path);
      try {
        return outcomeOf(op, path, addon.perform(KINDS[op.kind], path, maxBytesOf(op)));
      } catch (error) {
        return failed(error);
      }
    },

    async performAsync(op: Op, root: string): Promise<Outcome> {
      if (!isNative(op)) return nodeBackend.performAsync(op, root);
      const path = joinRoot(root, op.path);
      try {
        const [result] = await addon.batchAsync([KINDS[op.kind], path, maxBytesOf(op)]);
        return outcomeOf(op, path, result as NativeResult);
      } catch (error) {
        return failed(error);
      }
    },

    performBatch(ops: readonly Op[], root: string): Outcome[] {
      const outcomes = new Array<Outcome>(ops.length);
      const batch = nativeBatch(ops, root);
      let results: NativeResult[] | undefined;
      let thrown: unknown;
      try {
        results = addon.batch(batch.flat);
      } catch (error) {
        thrown = error;
      }
      ops.forEach((op, i) => {
        if (!isNative(op)) outcomes[i] = nodeBackend.perform(op, root);
      });
      fill(outcomes, batch, results, thrown);
      return outcomes;
    },

    async performBatchAsync(ops: readonly Op[], root: string): Promise<Outcome[]> {
      const outcomes = new Array<Outcome>(ops.length);
      const batch = nativeBatch(ops, root);
      const delegated = ops.map((op, i) =>
        isNative(op)
          ? undefined
          : nodeBackend.performAsync(op, root).then((outcome) => {
              outcomes[i] = outcome;
            }),
      );
      let results: NativeResult[] | undefined;
      let thrown: unknown;
      try {
        results = await batchAcrossPool(addon, batch.flat);
      } catch (error) {
        thrown = error;
      }
      await Promise.all(delegated);
      fill(outcomes, batch, results, thrown);
      return outcomes;
    },
  };
}

/** Each op's three entries in a NativeBatch: kind, path, maxBytes. */
const ENTRIES_PER_OP = 3;
/** Below this many ops a batch is one work item: splitting costs more than it gains. */
const SPLIT_AT_OPS = 64;
/**
 * How many work items a large async batch becomes: one per core, at most the pool's threads
 * (a work item holds its thread until every op of its share is done).
 */
const POOL_SHARES = Math.max(
  1,
  Math.min(availableParallelism(), Number(process.env.UV_THREADPOOL_SIZE) || 4),
);

/**
 * A batch's results, its ops run on libuv's pool as one work item per share, up to POOL_SHARES
 * shares: the reads of a whole machine (mostly time in the kernel) then use every core instead of
 * one. Ops are dealt to the shares in turn (op i to share i mod n), so a few heavy ops next to
 * each other (one process holding thousands of descriptors among its neighbours) do not all land
 * in one share. Results come back in the ops' order.
 */
async function batchAcrossPool(addon: ProcfsAddon, flat: NativeBatch): Promise<NativeResult[]> {
  const ops = flat.length / ENTRIES_PER_OP;
  if (ops === 0) return [];
  const shares = ops < SPLIT_AT_OPS ? 1 : POOL_SHARES;
  if (shares === 1) return addon.batchAsync(flat);
  const dealt: NativeBatch[] = Array.from({ length: shares }, () => []);
  for (let op = 0; op < ops; op++) {
    const share = dealt[op % shares] as NativeBatch;
    for (let entry = 0; entry < ENTRIES_PER_OP; entry++) {
      share.push(flat[op * ENTRIES_PER_OP + entry] as NativeBatch[number]);
    }
  }
  const answered = await Promise.all(dealt.map((share) => addon.batchAsync(share)));
  const results = new Array<NativeResult>(ops);
  for (let op = 0; op < ops; op++) {
    results[op] = (answered[op % shares] as NativeResult[])[
      Math.floor(op / shares)
    ] as NativeResult;
  }
  return results;
}

interface Batch {
  flat: NativeBatch;
  /** Per native op: the op, its index among all the ops, its joined path. */
  ops: NativeOp[];
  indices: number[];
  paths: (string | Buffer)[];
}

function nativeBatch(ops: readonly Op[], root: string): Batch {
  const batch: Batch = { flat: [], ops: [], indices: [], paths: [] };
  ops.forEach((op, i) => {
    if (!isNative(op)) return;
    const path = joinRoot(root, op.path);
    batch.flat.push(KINDS[op.kind], path, maxBytesOf(op));
    batch.ops.push(op);
    batch.indices.push(i);
    batch.paths.push(path);
  });
  return batch;
}

/** Each native op's outcome into its place; every op fails with `thrown` when the call threw. */
function fill(
  outcomes: Outcome[],
  batch: Batch,
  results: NativeResult[] | undefined,
  thrown: unknown,
): void {
  batch.indices.forEach((index, at) => {
    outcomes[index] =
      results === undefined
        ? failed(thrown)
        : outcomeOf(
            batch.ops[at] as NativeOp,
            batch.paths[at] as string | Buffer,
            results[at] as NativeResult,
          );
  });
}

const maxBytesOf = (op: NativeOp): number => (op.kind === 'read' ? op.maxBytes : 0);

/** The native result as nodeBackend's outcome of the same op. */
function outcomeOf(op: NativeOp, path: string | Buffer, result: NativeResult): Outcome {
  if (typeof result === 'number') return failed(errorOf(op, path, result));
  switch (op.kind) {
    case 'read':
    case 'readlink':
      return ok(new Uint8Array(result as ArrayBuffer));
    case 'readdir':
      return ok(result as string[]);
    case 'links':
      return ok(linkEntries(path as string, result as [string[], (string | number)[], boolean]));
    case 'stat':
      return ok(fileStat(result as BigInt64Array));
    case 'sockets':
      return ok(socketDescriptors(result as [Float64Array, ArrayBuffer, number, number]));
  }
}

/** native/reads.h's flags of a sockets op. */
const SOCKETS_VANISHED = 1;
const SOCKETS_DENIED = 2;

function socketDescriptors([pairs, stat, uid, flags]: [
  Float64Array,
  ArrayBuffer,
  number,
  number,
]): SocketDescriptors {
  const sockets: SocketDescriptors['sockets'] = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    sockets.push({ fd: pairs[i] as number, inode: pairs[i + 1] as number });
  }
  return {
    sockets,
    stat: new Uint8Array(stat),
    uid,
    vanished: (flags & SOCKETS_VANISHED) !== 0,
    denied: (flags & SOCKETS_DENIED) !== 0,
  };
}

function linkEntries(
  folder: string,
  [names, targets, vanished]: [string[], (string | number)[], boolean],
): LinkEntries {
  return {
    names,
    targets: targets.map((target, i) =>
      typeof target === 'number'
        ? fsError(target, 'readlink', `${folder}/${names[i] as string}`)
        : target,
    ),
    vanished,
  };
}

function fileStat(fields: BigInt64Array): FileStat {
  const [dev, ino, nlink, mode, uid, size, mtimeNs, ctimeNs] = fields as unknown as bigint[];
  return {
    dev: dev as bigint,
    ino: ino as bigint,
    nlink: nlink as bigint,
    mode: Number(mode),
    uid: Number(uid),
    size: size as bigint,
    mtimeNs: mtimeNs as bigint,
    ctimeNs: ctimeNs as bigint,
  };
}

/** A failed native op as the Error node:fs gives for the same failure. */
function errorOf(op: NativeOp, path: string | Buffer, result: number): Error {
  const code = -result;
  const syscall = Math.floor(code / 65536);
  const errno = code % 65536;
  if (syscall === SYSCALL_CAP) {
    return tooLarge({ path: String(path), maxBytes: maxBytesOf(op) });
  }
  if (syscall === SYSCALL_NUL) {
    return Object.assign(
      new TypeError(
        `The argument 'path' must be a string, Uint8Array, or URL without null bytes. Received ${inspect(path)}`,
      ),
      { code: 'ERR_INVALID_ARG_VALUE' },
    );
  }
  return fsError(errno, SYSCALLS[syscall] ?? 'unknown', path);
}

let systemErrors: Map<number, [string, string]> | undefined;

/**
 * Node's uvException: `CODE: description, syscall 'path'`, errno negative as Node's. A failed
 * read is on a descriptor, and Node names no path for it.
 */
function fsError(errno: number, syscall: string, path: string | Buffer): NodeJS.ErrnoException {
  systemErrors ??= getSystemErrorMap();
  const [code, description] = systemErrors.get(-errno) ?? ['UNKNOWN', 'unknown error'];
  if (syscall === 'read') {
    return Object.assign(new Error(`${code}: ${description}, ${syscall}`), {
      errno: -errno,
      code,
      syscall,
    });
  }
  const where = typeof path === 'string' ? path : path.toString();
  return Object.assign(new Error(`${code}: ${description}, ${syscall} '${where}'`), {
    errno: -errno,
    code,
    syscall,
    path: where,
  });
}
