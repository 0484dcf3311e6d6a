// A dump interrupted twice (NLM_F_DUMP_INTR on both tries) through the whole resolver, with a
// fake addon answering every request with the captured TCP dump flagged interrupted: the error
// carries what the call read, for list() as for resolve().
import { describe, expect, test } from 'vitest';
import { resolverWithAddon } from '../test/helpers.js';
import { recordsOf, replies } from '../test/replay.js';
import type { NetsockAddon } from './addon.js';
import { netsockBackend } from './backend.js';
import { DumpInterruptedError } from './netlink/errors.js';
import { HOST_LITTLE_ENDIAN } from './netlink/message.js';
import type { SocketResolver } from './resolver.js';

const TCP = replies('tcp-compat-dump'); // [4 messages, DONE]
const STARTS = [0, 0x7c, 0x100, 0x17c];
const PORT = 4321;

/** An addon whose socket answers each request with the TCP dump, every message DUMP_INTR. */
function interruptingAddon(): NetsockAddon & { requests: number } {
  const queue: Uint8Array[] = [];
  const addon = {
    requests: 0,
    open: () => 99,
    close: () => {},
    portId: () => PORT,
    send(_fd: number, bytes: Uint8Array) {
      addon.requests++;
      const request = new DataView(bytes.buffer, bytes.byteOffset);
      const seq = request.getUint32(8, HOST_LITTLE_ENDIAN);
      for (const [datagram, starts] of [
        [TCP[0] as Uint8Array, STARTS],
        [TCP[1] as Uint8Array, [0]],
      ] as const) {
        const copy = datagram.slice();
        const view = new DataView(copy.buffer);
        for (const at of starts) {
          view.setUint16(
            at + 6,
            view.getUint16(at + 6, HOST_LITTLE_ENDIAN) | 0x10,
            HOST_LITTLE_ENDIAN,
          );
          view.setUint32(at + 8, seq, HOST_LITTLE_ENDIAN);
          view.setUint32(at + 12, PORT, HOST_LITTLE_ENDIAN);
        }
        queue.push(copy);
      }
      return bytes.length;
    },
    recv(_fd: number, buffer: Uint8Array) {
      const next = queue.shift();
      if (next === undefined) throw Object.assign(new Error('no reply queued'), { errno: 11 });
      buffer.set(next);
      return next.length;
    },
    // The whole exchange at once, as the real addon gives it from libuv's thread pool.
    async exchangeAsync(fd: number, request: Uint8Array, _s: number, _p: number, bytes: number) {
      addon.send(fd, request);
      return recordsOf(queue.splice(0), bytes);
    },
  };
  return addon;
}

const resolverWith = (addon: NetsockAddon): SocketResolver => resolverWithAddon({}, {}, addon);

function errorOf(run: () => unknown): DumpInterruptedError {
  try {
    run();
  } catch (error) {
    if (error instanceof DumpInterruptedError) return error;
    throw error;
  }
  throw new Error('expected a DumpInterruptedError');
}

describe.skipIf(netsockBackend().name !== 'netlink')('a dump interrupted twice', () => {
  test('list(): the error carries every entry read', () => {
    const addon = interruptingAddon();
    const error = errorOf(() => resolverWith(addon).list({ tables: ['tcp'] }));
    expect(addon.requests).toBe(2);
    expect(error.table).toBe('tcp');
    expect(error.partial.map((e) => e.inode)).toEqual([479539, 479542, 479540, 479541]);
    expect(error.message).toContain('4 entries read');
  });

  test('resolve(): the error carries the sockets found so far', () => {
    const error = errorOf(() => resolverWith(interruptingAddon()).resolve([479540, 479541, 999]));
    expect(error.partial.map((e) => e.inode)).toEqual([479540, 479541]);
  });

  test('resolveAsync(): the same error, from exchanges made off the thread', async () => {
    const addon = interruptingAddon();
    const error = await resolverWith(addon)
      .resolveAsync([479540, 479541, 999])
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(DumpInterruptedError);
    expect((error as DumpInterruptedError).partial.map((e) => e.inode)).toEqual([479540, 479541]);
    expect(addon.requests).toBe(2);
  });
});
