// The netlink multicast reader (native/multicast.c, src/multicast.ts) against the kernel's proc
// connector: real process events for children spawned here, forged senders dropped, loss
// records in their place, and no descriptor or thread left behind.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { cleanup, eventually, exited, trackChild } from '../../../test-support/processes.js';
import { PYTHON } from '../test/helpers.js';
import { loadAddon, type NetsockAddon } from './addon.js';
import {
  decodeBatch,
  type MulticastLoss,
  type MulticastSubscription,
  openMulticast,
} from './multicast.js';
import { NetlinkError } from './netlink/errors.js';
import { HOST_LITTLE_ENDIAN } from './netlink/message.js';

const NETLINK_CONNECTOR = 11;
const CN_IDX_PROC = 1;
const PROC_EVENT_FORK = 1;
const isRoot = process.getuid?.() === 0;
const loaded = loadAddon();
const live = isRoot && 'addon' in loaded;

afterEach(cleanup);

/** PROC_CN_MCAST_LISTEN for our port: nlmsghdr + cn_msg {1, 1, len 4} + op 1. */
function listenMessage(portId: number): Uint8Array {
  const bytes = new Uint8Array(40);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 40, HOST_LITTLE_ENDIAN);
  view.setUint16(4, 3, HOST_LITTLE_ENDIAN); // NLMSG_DONE
  view.setUint32(12, portId, HOST_LITTLE_ENDIAN);
  view.setUint32(16, 1, HOST_LITTLE_ENDIAN);
  view.setUint32(20, 1, HOST_LITTLE_ENDIAN);
  view.setUint16(32, 4, HOST_LITTLE_ENDIAN);
  view.setUint32(36, 1, HOST_LITTLE_ENDIAN);
  return bytes;
}

/** A fork event's child tgid and parent tgid, from a proc connector datagram (undefined otherwise). */
function forkOf(bytes: Uint8Array): { parent: number; child: number } | undefined {
  if (bytes.length < 68) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(36, HOST_LITTLE_ENDIAN) !== PROC_EVENT_FORK) return undefined;
  return {
    parent: view.getUint32(56, HOST_LITTLE_ENDIAN),
    child: view.getUint32(64, HOST_LITTLE_ENDIAN),
  };
}

interface Recorded {
  subscription: MulticastSubscription;
  datagrams: Uint8Array[];
  losses: MulticastLoss[];
  /** What came, in order: 'datagram', 'overrun', 'dropped'. */
  order: string[];
}

function subscribeProc(receiveBufferBytes?: number, queueCapBytes?: number): Recorded {
  const datagrams: Uint8Array[] = [];
  const losses: MulticastLoss[] = [];
  const order: string[] = [];
  const subscription = openMulticast({
    protocol: NETLINK_CONNECTOR,
    groups: [CN_IDX_PROC],
    receiveBufferBytes,
    queueCapBytes,
    onDatagram: (bytes) => {
      datagrams.push(bytes.slice());
      order.push('datagram');
    },
    onLoss: (loss) => {
      losses.push(loss);
      order.push(loss.reason);
    },
  });
  subscription.send(listenMessage(subscription.portId));
  return { subscription, datagrams, losses, order };
}

const countOf = (folder: string) => readdirSync(folder).length;

describe.runIf(live)('the proc connector through the multicast reader (root)', () => {
  test('a fork of a child spawned here arrives, with this process as its parent', async () => {
    const { subscription, datagrams } = subscribeProc();
    try {
      const child = trackChild(spawn('/bin/true'));
      await exited(child);
      const fork = await eventually(
        () => datagrams.map(forkOf).find((event) => event?.child === child.pid),
        `the fork of ${child.pid}`,
      );
      expect(fork.parent).toBe(process.pid);
      // The nlmsghdr's length is the datagram's.
      const view = new DataView(datagrams[0]!.buffer);
      expect(view.getUint32(0, HOST_LITTLE_ENDIAN)).toBe(datagrams[0]!.length);
    } finally {
      subscription.close();
    }
  });

  test('datagrams from a userspace sender, unicast or multicast, are dropped', async () => {
    const { subscription, datagrams } = subscribeProc();
    try {
      const marker = 0x7ffffff0;
      const forger = fileURLToPath(new URL('../test/multicast-forger.py', import.meta.url));
      const sent = spawnSync(PYTHON, [forger, String(subscription.portId), String(marker)], {
        encoding: 'utf8',
      });
      expect(sent.stdout.trim()).toBe('sent');
      // The forged datagrams were queued before this child's fork: once the fork is seen, they
      // would have been seen too.
      const child = trackChild(spawn('/bin/true'));
      await exited(child);
      await eventually(
        () => datagrams.map(forkOf).find((event) => event?.child === child.pid),
        'the fork after the forged datagrams',
      );
      expect(datagrams.map(forkOf).filter((event) => event?.child === marker)).toEqual([]);
    } finally {
      subscription.close();
    }
  });

  test("the kernel's own unicast (a dump reply: port id 0, nl_groups 0) is dropped too", async () => {
    // NETLINK_ROUTE group 1 (RTNLGRP_LINK); an RTM_GETLINK dump is answered by unicast.
    const datagrams: Uint8Array[] = [];
    const subscription = openMulticast({
      protocol: 0,
      groups: [1],
      onDatagram: (bytes) => datagrams.push(bytes.slice()),
      onLoss: () => {},
    });
    try {
      const DUMP_SEQ = 0x5eed;
      const request = new Uint8Array(32);
      const view = new DataView(request.buffer);
      view.setUint32(0, 32, HOST_LITTLE_ENDIAN);
      view.setUint16(4, 18, HOST_LITTLE_ENDIAN); // RTM_GETLINK
      view.setUint16(6, 0x301, HOST_LITTLE_ENDIAN); // NLM_F_REQUEST | NLM_F_DUMP
      view.setUint32(8, DUMP_SEQ, HOST_LITTLE_ENDIAN);
      expect(subscription.send(request)).toBe(32);
      // The reply reaches the socket before this child's fork is even multicast; a connector
      // subscription proves the time has passed without asserting on time.
      const proc = subscribeProc();
      const child = trackChild(spawn('/bin/true'));
      await exited(child);
      await eventually(
        () => proc.datagrams.map(forkOf).find((event) => event?.child === child.pid),
        'a later fork',
      );
      proc.subscription.close();
      const seqs = datagrams.map((bytes) =>
        new DataView(bytes.buffer).getUint32(8, HOST_LITTLE_ENDIAN),
      );
      expect(seqs.filter((seq) => seq === DUMP_SEQ)).toEqual([]);
    } finally {
      subscription.close();
    }
  });

  test('close twice is fine, and send after close is EBADF', () => {
    const { subscription } = subscribeProc();
    subscription.close();
    subscription.close();
    subscription.unref();
    const error = (() => {
      try {
        subscription.send(listenMessage(0));
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(NetlinkError);
    expect((error as NetlinkError).code).toBe('EBADF');
  });

  test('no descriptor and no thread is left after close', () => {
    const fds = countOf('/proc/self/fd');
    const tasks = countOf('/proc/self/task');
    for (let i = 0; i < 20; i++) subscribeProc().subscription.close();
    expect(countOf('/proc/self/fd')).toBe(fds);
    expect(countOf('/proc/self/task')).toBe(tasks);
  });

  test('each subscription holds a socket, an eventfd and a thread while open', () => {
    const fds = countOf('/proc/self/fd');
    const tasks = countOf('/proc/self/task');
    const { subscription } = subscribeProc();
    expect(countOf('/proc/self/fd')).toBe(fds + 2);
    expect(countOf('/proc/self/task')).toBe(tasks + 1);
    subscription.close();
  });

  test('closing while datagrams are pending delivers nothing after close', async () => {
    const { subscription, datagrams, losses } = subscribeProc();
    // spawnSync holds this thread: the reader queues the forks meanwhile, and JS takes none.
    for (let i = 0; i < 20; i++) spawnSync('/bin/true');
    expect(datagrams).toEqual([]);
    subscription.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(datagrams).toEqual([]);
    expect(losses).toEqual([]);
  });

  test('with a batch delay, datagrams still come, and close ends the thread in its wait', async () => {
    const datagrams: Uint8Array[] = [];
    const subscription = openMulticast({
      protocol: NETLINK_CONNECTOR,
      groups: [CN_IDX_PROC],
      batchDelayMicros: 200_000,
      onDatagram: (bytes) => datagrams.push(bytes.slice()),
      onLoss: () => {},
    });
    try {
      subscription.send(listenMessage(subscription.portId));
      const child = trackChild(spawn('/bin/true'));
      await exited(child);
      const fork = await eventually(
        () => datagrams.map(forkOf).find((event) => event?.child === child.pid),
        `the fork of ${child.pid}`,
      );
      expect(fork.parent).toBe(process.pid);
      // A fork, an exec and an exit of another child: the reader is in its 200 ms wait now.
      trackChild(spawn('/bin/true'));
    } finally {
      const tasks = countOf('/proc/self/task');
      subscription.close();
      expect(countOf('/proc/self/task')).toBe(tasks - 1);
    }
  });

  test('closing from inside onDatagram stops the batch there', async () => {
    let seen = 0;
    const subscription = openMulticast({
      protocol: NETLINK_CONNECTOR,
      groups: [CN_IDX_PROC],
      onDatagram: () => {
        seen++;
        subscription.close();
      },
      onLoss: () => {},
    });
    subscription.send(listenMessage(subscription.portId));
    // Several datagrams pending in one batch: JS is held while the children come and go.
    for (let i = 0; i < 5; i++) spawnSync('/bin/true');
    await eventually(() => (seen > 0 ? true : undefined), 'a datagram');
    const child = trackChild(spawn('/bin/true'));
    await exited(child);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen).toBe(1);
  });

  test('past its queue cap, the reader drops and counts, never waits for JS', async () => {
    // Room for two 76-byte datagrams (84 bytes as records), and JS held by spawnSync meanwhile.
    const { subscription, losses, order } = subscribeProc(undefined, 170);
    try {
      for (let i = 0; i < 10; i++) spawnSync('/bin/true');
      // Each child gave at least a fork, an exec and an exit: 30 datagrams at least.
      await eventually(() => (losses.length > 0 ? true : undefined), 'the dropped record');
      const kept = order.indexOf('dropped');
      expect(kept).toBeLessThanOrEqual(2);
      const dropped = losses[0];
      expect(dropped?.reason).toBe('dropped');
      expect(kept + (dropped?.reason === 'dropped' ? dropped.count : 0)).toBeGreaterThanOrEqual(30);
    } finally {
      subscription.close();
    }
  });

  test('an unref-ed subscription lets the process end; process.exit and a worker ending stop the reader', () => {
    const script = fileURLToPath(new URL('../test/multicast-exit.mjs', import.meta.url));
    for (const mode of ['unref', 'exit', 'worker']) {
      const run = spawnSync(process.execPath, [script, mode], {
        encoding: 'utf8',
        timeout: 60_000,
        killSignal: 'SIGKILL',
      });
      expect({ mode, signal: run.signal, status: run.status, out: run.stdout.trim() }).toEqual({
        mode,
        signal: null,
        status: 0,
        out: 'done',
      });
    }
  });
});

describe.runIf(live)('an overrun', () => {
  test('a tiny receive buffer and a fork storm give an overrun record', async () => {
    const { subscription, losses } = subscribeProc(1);
    try {
      // Both cores fork while the reader thread competes for them.
      const storm = 'for i in $(seq 400); do /bin/true & done; wait';
      const storms = [0, 1].map(() => trackChild(spawn('sh', ['-c', storm], { stdio: 'ignore' })));
      await Promise.all(storms.map(exited));
      await eventually(() => (losses.length > 0 ? true : undefined), 'an overrun');
      expect(losses).toContainEqual({ reason: 'overrun' });
    } finally {
      subscription.close();
    }
  });
});

describe('arguments', () => {
  const base = {
    protocol: NETLINK_CONNECTOR,
    groups: [CN_IDX_PROC],
    onDatagram() {},
    onLoss() {},
  };
  const cases: [string, object, RegExp][] = [
    ['protocol', { protocol: -1 }, /protocol/],
    ['protocol', { protocol: 1.5 }, /protocol/],
    ['groups', { groups: [] }, /groups/],
    ['groups', { groups: [0] }, /groups: 0/],
    ['groups', { groups: [33] }, /groups: 33/],
    ['receiveBufferBytes', { receiveBufferBytes: -5 }, /receiveBufferBytes/],
    ['receiveBufferBytes', { receiveBufferBytes: Number.NaN }, /receiveBufferBytes/],
    ['onDatagram', { onDatagram: 'x' }, /onDatagram/],
    ['onLoss', { onLoss: undefined }, /onLoss/],
    ['onError', { onError: 3 }, /onError/],
    ['queueCapBytes', { queueCapBytes: 2 ** 32 }, /queueCapBytes/],
    ['batchDelayMicros', { batchDelayMicros: 1_000_001 }, /batchDelayMicros/],
  ];
  test.each(cases)('a bad %s is a TypeError naming it', (_name, override, message) => {
    expect(() => openMulticast({ ...base, ...override } as never)).toThrow(TypeError);
    expect(() => openMulticast({ ...base, ...override } as never)).toThrow(message);
  });

  test.runIf('addon' in loaded)('the addon itself names a bad argument', () => {
    if (!('addon' in loaded)) return;
    const addon = loaded.addon as Required<NetsockAddon>;
    const cb = () => {};
    expect(() => addon.subscribe('11' as never, 1, 0, cb)).toThrow(/protocol/);
    expect(() => addon.subscribe(11, -1, 0, cb)).toThrow(/groupsMask/);
    expect(() => addon.subscribe(11, 0, 0, cb)).toThrow(/groupsMask/);
    expect(() => addon.subscribe(11, 1, 2 ** 33, cb)).toThrow(/receiveBufferBytes/);
    expect(() => addon.subscribe(11, 1, 0, 'x' as never)).toThrow(/onBatch/);
    expect(() => addon.subscribe(11, 1, 0, cb, -1)).toThrow(/queueCapBytes/);
    expect(() => addon.subscribe(11, 1, 0, cb, undefined, 2_000_000)).toThrow(/batchDelayMicros/);
    expect(() => addon.unsubscribe({} as never)).toThrow(/handle/);
    expect(() => addon.multicastSend(3 as never, new Uint8Array(4))).toThrow(/handle/);
    expect(() => addon.refSubscription(null as never, true)).toThrow(TypeError);
  });

  test('an addon without the reader is ENOTSUP', () => {
    const error = (() => {
      try {
        openMulticast(base, {} as NetsockAddon);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(NetlinkError);
    expect((error as NetlinkError).code).toBe('ENOTSUP');
  });
});

describe('batches', () => {
  /** Records as native/multicast.c writes them. */
  function batch(records: [kind: number, length: number, bytes?: number[]][]): ArrayBuffer {
    const parts: number[] = [];
    const u32 = (value: number) => {
      const four = new Uint8Array(4);
      new DataView(four.buffer).setUint32(0, value, HOST_LITTLE_ENDIAN);
      parts.push(...four);
    };
    for (const [kind, length, bytes = []] of records) {
      u32(kind);
      u32(length);
      parts.push(...bytes);
      while (parts.length % 4 !== 0) parts.push(0);
    }
    return new Uint8Array(parts).buffer;
  }

  function walk(buffer: ArrayBuffer): unknown[] {
    const seen: unknown[] = [];
    decodeBatch(buffer, {
      onDatagram: (bytes) => seen.push([...bytes]),
      onLoss: (loss) => seen.push(loss),
      onFailure: (errno) => seen.push({ errno }),
      open: () => true,
    });
    return seen;
  }

  test('records come out in order, loss in its place among datagrams', () => {
    const buffer = batch([
      [0, 5, [1, 2, 3, 4, 5]],
      [1, 0],
      [0, 3, [7, 8, 9]],
      [2, 12],
      [3, 4, [105, 0, 0, 0]],
    ]);
    expect(walk(buffer)).toEqual([
      [1, 2, 3, 4, 5],
      { reason: 'overrun' },
      [7, 8, 9],
      { reason: 'dropped', count: 12 },
      { errno: HOST_LITTLE_ENDIAN ? 105 : 105 << 24 },
    ]);
  });

  test('a cut record or an unknown kind throws', () => {
    expect(() => walk(batch([[0, 5, [1, 2, 3, 4, 5]]]).slice(0, 12))).toThrow(/past the end/);
    expect(() => walk(batch([[0, 0]]).slice(0, 6))).toThrow(/cut/);
    expect(() => walk(batch([[9, 0]]))).toThrow(/unknown record kind 9/);
  });
});
