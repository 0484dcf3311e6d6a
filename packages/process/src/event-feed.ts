// What the caches of this package read from a stream of process events, so they can follow one
// without depending on @procmon/events: any emitter of 'event' with these fields fits (a
// ProcessEvents, a Node EventEmitter, a test double). Fields follow the kernel's
// `struct proc_event`: `pid` is the thread id, `tgid` the process id.

/** The fields of an event a cache reads; an event of another type is ignored. */
export interface FeedEvent {
  readonly type: string;
  /** exec, exit: the thread. An exit ends the process only when `pid === tgid`. */
  readonly pid?: number | undefined;
  /** exec, exit: the process. */
  readonly tgid?: number | undefined;
  /** fork: the process that forked. */
  readonly parentTgid?: number | undefined;
  /** fork: the new thread and its process (`childPid === childTgid` for a new process). */
  readonly childPid?: number | undefined;
  readonly childTgid?: number | undefined;
  /** resync: the processes found gone after events were lost. */
  readonly gone?: readonly number[] | undefined;
}

/** An emitter of process events: `on` and `off` for 'event', as EventEmitter has them. */
export interface ProcessEventFeed {
  on(name: 'event', listener: (event: FeedEvent) => void): unknown;
  off(name: 'event', listener: (event: FeedEvent) => void): unknown;
}

/**
 * Calls `listener` with each event of `feed` until the returned function is called (it may be
 * called more than once). A listener's exception is the feed's to report, as any listener's.
 */
export function listen(feed: ProcessEventFeed, listener: (event: FeedEvent) => void): () => void {
  feed.on('event', listener);
  let following = true;
  return () => {
    if (!following) return;
    following = false;
    feed.off('event', listener);
  };
}

/**
 * The processes (tgids) an event says have ended or replaced their program: an exit of a
 * process's main thread (`pid === tgid`; another thread's exit ends only that thread), an exec
 * (after an exec, pid and tgid are the process's), the `gone` of a resync. None for other events.
 */
export function endedOrReplaced(event: FeedEvent): readonly number[] {
  switch (event.type) {
    case 'exit':
      return isPid(event.tgid) && event.pid === event.tgid ? [event.tgid] : [];
    case 'exec':
      return isPid(event.tgid) ? [event.tgid] : [];
    case 'resync':
      return Array.isArray(event.gone) ? event.gone.filter(isPid) : [];
    default:
      return [];
  }
}

/** A new process's parent (a fork with `childPid === childTgid`), else undefined. */
export function forkingParent(event: FeedEvent): number | undefined {
  if (event.type !== 'fork' || event.childPid !== event.childTgid) return undefined;
  return isPid(event.parentTgid) ? event.parentTgid : undefined;
}

const isPid = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0;
