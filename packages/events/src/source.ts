// The contract between a source of events (the kernel's proc connector, or polling) and
// ProcessEvents, which queues, enriches and hands them out. A source pushes events in the order
// it learned them and never blocks on the consumer.

import type { EventSourceKind, ProcessEvent } from './types.js';

/** Where a source delivers. Called on Node's main thread, never re-entered. */
export interface EventSink {
  /**
   * One event, in order. A `lost` event asks ProcessEvents to resynchronise after it.
   * `followedBy`, for an exec: the source already holds a later exec of the same process (its
   * pid's /proc shows another program now), else its exit (a zombie, or a pid free for reuse).
   */
  push(event: ProcessEvent, hint?: { followedBy?: 'exec' | 'exit' }): void;
  /** The source cannot go on (its socket failed, ...); it is closed after this. */
  fail(error: Error): void;
}

/** A running source. */
export interface EventSourceHandle {
  readonly kind: EventSourceKind;
  /** Stops it; no push or fail comes after. Safe to call twice. */
  close(): void;
  /** Whether it keeps Node's event loop alive (it does when opened). */
  ref(): void;
  unref(): void;
}
