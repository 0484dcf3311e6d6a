// The contract between a source of events (the kernel's proc connector, or polling) and
// ProcessEvents, which queues, enriches and hands them out. A source pushes events in the order
// it learned them and never blocks on the consumer.

import type { EventSourceKind, ProcessEvent } from './types.js';

/** Where a source delivers. Called on Node's main thread, never re-entered. */
export interface EventSink {
  /**
   * One event, in order. A `lost` event asks ProcessEvents to resynchronise after it.
   * `superseded`: an exec the source already knows was followed by another exec or the exit of
   * the same process, so the pid's /proc no longer shows the program of this exec.
   */
  push(event: ProcessEvent, hint?: { superseded?: boolean }): void;
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
