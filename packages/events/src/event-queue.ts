// The queue behind one async iterator of ProcessEvents. A source pushes at the kernel's pace and
// must never wait for a consumer, so the queue is bounded: past `highWaterMark` events (or
// HIGH_WATER_BYTES of exec details, which processes choose) it drops events and counts them. Once the consumer has taken every event held (the ones before the gap), it
// gets `lost` (reason 'queue-full', the exact number dropped), then a `resync` made at that
// moment against the picture the consumer had when the first event was dropped, and then the
// events that came after the resync's scan. Dropping goes on until then, so no event older than
// the scan follows it.

import type { LostEvent, ProcessEvent, ResyncEvent } from './types.js';

/**
 * The most a queue holds in the strings of exec details, in bytes (UTF-16), whatever its
 * highWaterMark: a process chooses its arguments (up to 6 MiB an exec with a raised stack
 * limit), and 16,384 execs of 2 MiB each held for a slow consumer would be 32 GiB.
 */
export const HIGH_WATER_BYTES = 256 * 1024 * 1024;
/** What an event costs beside its strings (its object and fields), as counted against it. */
const EVENT_BYTES = 256;

/** What a queue needs from ProcessEvents when it overflows. */
export interface QueueHooks {
  /** A copy of the picture of running processes now (taken when the first event is dropped). */
  snapshot(): unknown;
  /** The resync against that copy, scanning now; undefined when resync is off. */
  resync(snapshot: unknown): ResyncEvent | undefined;
  /** The source, for the lost event's fields. */
  source(): LostEvent['source'];
  /** The iterator was ended by its consumer (break, return): forget the queue. */
  detach(queue: EventQueue): void;
}

type Waiter = {
  resolve: (result: IteratorResult<ProcessEvent>) => void;
  reject: (error: unknown) => void;
};

export class EventQueue implements AsyncIterableIterator<ProcessEvent> {
  // A growable ring would do too; an array with a moving head and occasional compaction keeps
  // push and take O(1) without Array#shift's copying.
  private items: ProcessEvent[] = [];
  private head = 0;
  /** The bytes (see sizeOf) of the events held. */
  private heldBytes = 0;
  private dropped = 0;
  private snapshotAtDrop: unknown;
  private waiter: Waiter | undefined;
  private ended = false;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly highWaterMark: number,
    private readonly hooks: QueueHooks,
    private readonly highWaterBytes = HIGH_WATER_BYTES,
  ) {}

  /** Events held and not yet taken. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** One event from the source. Never blocks: past the high-water mark it is dropped. */
  push(event: ProcessEvent): void {
    if (this.ended) return;
    if (this.dropped > 0) {
      this.dropped++;
      return;
    }
    if (this.waiter !== undefined) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve({ value: event, done: false });
      return;
    }
    const bytes = sizeOf(event);
    if (this.length >= this.highWaterMark || this.heldBytes + bytes > this.highWaterBytes) {
      this.snapshotAtDrop = this.hooks.snapshot();
      this.dropped = 1;
      return;
    }
    this.hold(event);
  }

  private hold(event: ProcessEvent): void {
    this.heldBytes += sizeOf(event);
    this.items.push(event);
  }

  /** No more events: the iterator ends once the held events are taken (closing drops them). */
  end(options: { error?: unknown; discard?: boolean } = {}): void {
    if (this.ended) return;
    this.ended = true;
    if (options.error !== undefined) this.failure = { error: options.error };
    if (options.discard) this.clear();
    // Dropped events are still reported before the end; no resync, the source has stopped.
    else if (this.dropped > 0) this.hold(this.lostEvent());
    this.dropped = 0;
    this.snapshotAtDrop = undefined;
    if (this.waiter !== undefined && this.length === 0) {
      const waiter = this.waiter;
      this.waiter = undefined;
      this.settleEnd(waiter);
    }
  }

  next(): Promise<IteratorResult<ProcessEvent>> {
    if (this.length > 0) return Promise.resolve({ value: this.take(), done: false });
    if (this.dropped > 0 && !this.ended) return Promise.resolve({ value: this.gap(), done: false });
    if (this.ended) return new Promise((resolve, reject) => this.settleEnd({ resolve, reject }));
    if (this.waiter !== undefined) {
      return Promise.reject(new Error('next() called again before the previous one settled'));
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<ProcessEvent>> {
    this.ended = true;
    this.failure = undefined;
    this.clear();
    this.hooks.detach(this);
    if (this.waiter !== undefined) {
      this.waiter.resolve({ value: undefined, done: true });
      this.waiter = undefined;
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ProcessEvent> {
    return this;
  }

  /** The lost event for the events dropped, with the resync queued after it; dropping stops. */
  private gap(): LostEvent {
    const lost = this.lostEvent();
    const resync = this.hooks.resync(this.snapshotAtDrop);
    this.dropped = 0;
    this.snapshotAtDrop = undefined;
    if (resync !== undefined) this.hold(resync);
    return lost;
  }

  private lostEvent(): LostEvent {
    return {
      type: 'lost',
      reason: 'queue-full',
      count: this.dropped,
      timestampNs: process.hrtime.bigint(),
      source: this.hooks.source(),
    };
  }

  private take(): ProcessEvent {
    const event = this.items[this.head] as ProcessEvent;
    this.heldBytes -= sizeOf(event);
    this.items[this.head] = undefined as unknown as ProcessEvent;
    this.head++;
    if (this.head === this.items.length) this.clear();
    else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return event;
  }

  private clear(): void {
    this.items = [];
    this.head = 0;
    this.heldBytes = 0;
  }

  /** The end of iteration: done, or the source's failure thrown (once). */
  private settleEnd(waiter: Waiter): void {
    const failure = this.failure;
    this.failure = undefined;
    if (failure !== undefined) waiter.reject(failure.error);
    else waiter.resolve({ value: undefined, done: true });
  }
}

/** An event's weight in a queue: a fixed part, and for an exec the strings of its details. */
function sizeOf(event: ProcessEvent): number {
  if (event.type !== 'exec' || event.details === undefined) return EVENT_BYTES;
  const { path, args, cwd, comm } = event.details;
  let chars = (path?.length ?? 0) + (cwd?.length ?? 0) + (comm?.length ?? 0);
  if (args !== undefined) for (const arg of args) chars += arg.length + 16;
  return EVENT_BYTES + 2 * chars;
}
