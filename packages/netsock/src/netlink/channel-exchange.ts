// One exchange over a channel as a flow step (procfs's `external`): the sync runner receives
// datagram by datagram on the calling thread; the async runner has the addon make the whole
// exchange on libuv's thread pool and walks the datagrams it gives back. Both walk them with the
// same decoder (message.ts takeDatagram): sync and async differ only in who waits.
import { defaultProcFS, external, type Flow } from '@procmon/procfs';
import {
  type ExchangeOptions,
  type ExchangeResult,
  exchange,
  type NetlinkTransport,
  walkReply,
} from './message.js';

/** A transport that also hands out sequence numbers and its receive buffer. */
export interface DiagChannel extends NetlinkTransport {
  nextSeq(): number;
  readonly buffer: Uint8Array;
  readonly view: DataView;
  /** Tables (or request forms) the kernel answered ENOENT for on this channel. */
  readonly unsupported: Set<string>;
  /**
   * Tables the kernel has dumped on this channel: its diag handler exists. (An exact unix lookup
   * answered ENOENT means "no such socket" only then: a kernel without unix_diag says the same.)
   */
  readonly supported: Set<string>;
  /**
   * The whole exchange of `request` off the calling thread: the reply's datagrams as records
   * (see walkReply), at most `buffer.length` bytes of each. Absent (a replayed channel in
   * tests): the async runner makes the exchange as the sync one does.
   */
  exchangeAsync?(request: Uint8Array, seq: number): Promise<ArrayBuffer>;
}

/** What an exchange over a channel needs beyond the channel's buffer. */
export type ChannelExchange = Omit<ExchangeOptions, 'buffer' | 'view'>;

/** One exchange over `channel`, as a step either runner carries out. */
export function* exchangeStep(
  channel: DiagChannel,
  request: ChannelExchange,
): Flow<ExchangeResult> {
  const options: ExchangeOptions = { ...request, buffer: channel.buffer, view: channel.view };
  return yield* external(
    () => exchange(channel, options),
    async () => {
      if (channel.exchangeAsync === undefined) return exchange(channel, options);
      const records = await channel.exchangeAsync(options.request, options.seq);
      return walkReply(records, options, channel.portId);
    },
  );
}

/** Runs a flow of exchange steps (and no /proc reads of its own) on the calling thread. */
export function runNow<T>(flow: Flow<T>): T {
  return defaultProcFS().run(flow);
}
