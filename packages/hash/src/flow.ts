// Hashing is written once, as generators that yield the I/O they need; a sync runner and an
// async runner carry it out (the pattern of @procmon/process's flow.ts). So hashFile and
// hashFileAsync, processChecksum and processChecksumAsync cannot drift apart, and every check
// (file type, size cap, abort, verification) exists in one copy.
import {
  type BigIntStats,
  close,
  closeSync,
  fstat,
  fstatSync,
  open,
  openSync,
  read,
  readSync,
  stat,
  statSync,
} from 'node:fs';

/**
 * A read of up to `length` bytes at `position`: the runner supplies the buffer and answers with
 * a view of the bytes read, valid until the flow's next request (the sync runner reuses one
 * buffer for every file).
 */
interface ReadRequest {
  kind: 'read';
  fd: number;
  position: number;
  length: number;
}

/** Anything else: the same operation in its two forms. */
interface CallRequest {
  kind: 'call';
  sync: () => unknown;
  async: () => Promise<unknown>;
}

export type Request = ReadRequest | CallRequest;
export type Flow<T> = Generator<Request, T, unknown>;

/** The most bytes one read asks for. */
export const CHUNK_BYTES = 1024 * 1024;

// Sync flows run one read at a time (a nested flow runs between two reads, never during one),
// so they can share one buffer; each async run has its own.
const shared = new Uint8Array(CHUNK_BYTES);

/** @internal One operation, sync or async as the runner decides. */
export function* call<T>(sync: () => T, async: () => Promise<T>): Flow<T> {
  return (yield { kind: 'call', sync, async }) as T;
}

/** @internal See ReadRequest. */
export function* readAt(fd: number, position: number, length: number): Flow<Uint8Array> {
  return (yield { kind: 'read', fd, position, length }) as Uint8Array;
}

const BIG = { bigint: true } as const;

/** @internal fstat as bigints (inode numbers and nanosecond times pass 2^53). */
export const fstatOf = (fd: number): Flow<BigIntStats> =>
  call(
    () => fstatSync(fd, BIG),
    () => promised<BigIntStats>((done) => fstat(fd, BIG, done)),
  );

/** @internal stat (following links) as bigints. */
export const statOf = (path: string | Buffer): Flow<BigIntStats> =>
  call(
    () => statSync(path, BIG),
    () => promised<BigIntStats>((done) => stat(path, BIG, done)),
  );

/** @internal open(2) with numeric flags; the descriptor. */
export const openFd = (path: string | Buffer, flags: number): Flow<number> =>
  call(
    () => openSync(path, flags),
    () => promised<number>((done) => open(path, flags, done)),
  );

/** @internal */
export const closeFd = (fd: number): Flow<void> =>
  call(
    () => closeSync(fd),
    () => promised<void>((done) => close(fd, done)),
  );

/** @internal Waits `ms` milliseconds: blocks a sync caller (Atomics.wait), a timer for async. */
export const pause = (ms: number): Flow<void> =>
  call(
    () => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    },
    () => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  );

function promised<T>(start: (done: (error: Error | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    start((error, value) => (error ? reject(error) : resolve(value)));
  });
}

/** Runs a flow with the synchronous calls. */
export function runSync<T>(flow: Flow<T>): T {
  let step = flow.next();
  while (!step.done) {
    let value: unknown;
    let failure: { error: unknown } | undefined;
    try {
      const request = step.value;
      if (request.kind === 'call') value = request.sync();
      else {
        const count = readSync(request.fd, shared, 0, request.length, request.position);
        value = shared.subarray(0, count);
      }
    } catch (error) {
      failure = { error };
    }
    step = failure ? flow.throw(failure.error) : flow.next(value);
  }
  return step.value;
}

/** Runs a flow with the asynchronous calls: the event loop stays free between them. */
export async function runAsync<T>(flow: Flow<T>): Promise<T> {
  let buffer: Uint8Array | undefined;
  let step = flow.next();
  while (!step.done) {
    let value: unknown;
    let failure: { error: unknown } | undefined;
    try {
      const request = step.value;
      if (request.kind === 'call') value = await request.async();
      else {
        buffer ??= new Uint8Array(CHUNK_BYTES);
        const into = buffer;
        const count = await promised<number>((done) =>
          read(request.fd, into, 0, request.length, request.position, done),
        );
        value = into.subarray(0, count);
      }
    } catch (error) {
      failure = { error };
    }
    step = failure ? flow.throw(failure.error) : flow.next(value);
  }
  return step.value;
}
