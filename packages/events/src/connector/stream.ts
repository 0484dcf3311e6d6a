// What the connector source does with what its socket gives it: each datagram decoded and its
// events pushed in order, a loss (overrun, queue full, a CPU's numbering skipping) pushed as a
// `lost` event in its place, the answer to our LISTEN checked. No I/O: connector-source.ts feeds
// it from netsock's multicast reader, and tests feed it bytes.

import { EventSourceError } from '../errors.js';
import type { EventSink } from '../source.js';
import { type ConnectorMessage, decodeDatagram, PROC_EVENT } from './decode.js';
import { SequenceGaps } from './sequence.js';

/** A loss as netsock's multicast reader reports it. */
export type ReaderLoss = { reason: 'overrun' } | { reason: 'dropped'; count: number };

type Held = { message: ConnectorMessage } | { loss: ReaderLoss };

export interface StreamOptions {
  /** The cn_msg.ack of our LISTEN: its answer carries this plus one. */
  listenAck: number;
  /** Now on CLOCK_MONOTONIC, for a loss (it has no kernel timestamp). */
  now(): bigint;
  /** The kernel refused our LISTEN: the source stops and tells its sink. */
  fail(error: EventSourceError): void;
  /** Whether events are still wanted (false once the source closed). */
  open(): boolean;
  /** errno to its name ('EINVAL'). */
  errnoName(errno: number): string;
}

export class ConnectorStream {
  /** Messages skipped as malformed: each one an event lost (and, later, a gap on its CPU). */
  malformed = 0;
  private readonly gaps = new SequenceGaps();
  // Our LISTEN is answered once. Any process with CAP_NET_ADMIN can make the kernel multicast an
  // answer with an ack of its choosing and an errno (op 99 gives EINVAL): only the first one
  // with our ack is believed, the rest could only fail the source on someone else's word.
  private answered = false;
  private held: Held[] = [];
  private holding = false;

  constructor(
    private readonly sink: EventSink,
    private readonly options: StreamOptions,
  ) {}

  /**
   * Holds what comes until the microtask after this one (the end of the reader's batch in hand),
   * so that an exec followed in the batch by another exec or the exit of the same process is
   * known as such when it is pushed (see EventSink's `followedBy`).
   */
  hold(): void {
    if (this.holding) return;
    this.holding = true;
    queueMicrotask(() => this.release());
  }

  datagram(bytes: Uint8Array): void {
    const { messages, skipped } = decodeDatagram(bytes);
    for (const skip of skipped) if (skip.malformed) this.malformed++;
    for (const message of messages) this.held.push({ message });
    if (!this.holding) this.release();
  }

  loss(loss: ReaderLoss): void {
    this.held.push({ loss });
    if (!this.holding) this.release();
  }

  /** Everything held, pushed in order. */
  private release(): void {
    this.holding = false;
    const held = this.held;
    this.held = [];
    const followed = followedExecs(held);
    for (const [index, item] of held.entries()) {
      if (!this.options.open()) return;
      if ('loss' in item) this.pushLoss(item.loss);
      else if (!this.pushMessage(item.message, followed.get(index))) return;
    }
  }

  /** false when the source failed on it. */
  private pushMessage(message: ConnectorMessage, followedBy?: 'exec' | 'exit'): boolean {
    const lost = this.gaps.skippedBefore(message.cpu, message.seq);
    if (lost > 0) {
      this.sink.push({
        type: 'lost',
        reason: 'sequence-gap',
        count: lost,
        cpu: message.cpu,
        timestampNs: this.options.now(),
        source: 'connector',
      });
    }
    if (message.what === PROC_EVENT.NONE) {
      // Every listener's answer reaches every listener: only ours (by its ack) is about us.
      const ours = !this.answered && message.ack === (this.options.listenAck + 1) >>> 0;
      if (ours) this.answered = true;
      const errno = message.listenError ?? 0;
      if (ours && errno !== 0) {
        const code = this.options.errnoName(errno);
        this.options.fail(
          new EventSourceError(
            `proc connector: the kernel refused LISTEN (${code})`,
            'connector',
            code,
          ),
        );
        return false;
      }
      return true;
    }
    if (message.event === undefined) return true;
    if (followedBy !== undefined) this.sink.push(message.event, { followedBy });
    else this.sink.push(message.event);
    return true;
  }

  private pushLoss(loss: ReaderLoss): void {
    const base = { type: 'lost', timestampNs: this.options.now(), source: 'connector' } as const;
    if (loss.reason === 'overrun') {
      this.gaps.reset(); // the numbers skipped by this overrun are reported by it
      this.sink.push({ ...base, reason: 'overrun' });
    } else {
      this.sink.push({ ...base, reason: 'queue-full', count: loss.count });
    }
  }
}

/**
 * What follows each exec event, later in `held`, of the same process: another exec (its pid
 * runs another program by the time this one is pushed), else its exit (its pid is a zombie, or
 * free for another process). Execs followed by neither are not in the map.
 */
function followedExecs(held: readonly Held[]): Map<number, 'exec' | 'exit'> {
  const found = new Map<number, 'exec' | 'exit'>();
  const later = new Map<number, 'exec' | 'exit'>();
  for (let index = held.length - 1; index >= 0; index--) {
    const item = held[index] as Held;
    const event = 'message' in item ? item.message.event : undefined;
    if (event?.type === 'exec') {
      const next = later.get(event.tgid);
      if (next !== undefined) found.set(index, next);
      later.set(event.tgid, 'exec');
    } else if (event?.type === 'exit' && event.pid === event.tgid) {
      if (!later.has(event.tgid)) later.set(event.tgid, 'exit');
    }
  }
  return found;
}
