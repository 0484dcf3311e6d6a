// ProcessEvents: one source of events (the kernel's proc connector, else polling), the picture of
// running processes kept from a scan and the events, exec events enriched when asked, and the
// fan-out to listeners (synchronously, every event) and to async iterators (each through its own
// bounded queue, event-queue.ts).

import { EventEmitter } from 'node:events';
import { all, defaultProcFS, type ProcFS } from '@procmon/procfs';
import { latestStartTicks } from './clocks.js';
import { type ConnectorSourceOptions, openConnectorSource } from './connector/connector-source.js';
import { readExecDetails, supersededDetails } from './enrich.js';
import { EventSourceError } from './errors.js';
import { EventQueue } from './event-queue.js';
import {
  DEFAULT_POLL_INTERVAL_MS,
  mountMisses,
  openPollingSource,
  POLLING_MISSES,
} from './polling-source.js';
import {
  type PictureEntry,
  pictureOf,
  resyncEvent,
  runningProcessFlow,
  scanRunning,
} from './resync.js';
import type { EventSink, EventSourceHandle } from './source.js';
import type {
  CommEvent,
  CoredumpEvent,
  EventSourceKind,
  ExecEvent,
  ExitEvent,
  ForkEvent,
  IdEvent,
  LostEvent,
  ProcessEvent,
  PtraceEvent,
  ResyncEvent,
  RunningProcess,
  SidEvent,
} from './types.js';

export interface ProcessEventsOptions {
  /** 'auto' (default): the proc connector, else polling, saying why. */
  source?: 'auto' | 'connector' | 'polling';
  /** Read each new program's details at exec (ExecEvent.details). Default false. */
  enrich?: boolean;
  /** Polling's interval, ms; 100 unless set. */
  pollIntervalMs?: number;
  /** Events an async iterator may hold before it drops and reports `lost` (queue-full). 16384. */
  highWaterMark?: number;
  /** The connector socket's receive buffer; passed to openConnectorSource. */
  receiveBufferBytes?: number;
  /** Scan /proc after a loss and emit `resync` (default true). */
  resync?: boolean;
  /** Where /proc is read; the shared ProcFS on /proc unless given. */
  procfs?: ProcFS;
}

export interface SourceChoice {
  kind: EventSourceKind;
  /** Why this source: 'asked for', or why the connector could not be used ('EPERM: ...'). */
  reason: string;
  /**
   * What this source cannot see (empty for the connector): for polling, processes that live
   * less than the interval, threads, exit codes and signals, comm/uid/gid/sid/ptrace/coredump,
   * forks without exec shown as exec.
   */
  misses: string[];
}

/** The events of ProcessEvents: 'event' for every event, then one named after its type. */
export interface ProcessEventsEventMap {
  event: [ProcessEvent];
  fork: [ForkEvent];
  exec: [ExecEvent];
  exit: [ExitEvent];
  comm: [CommEvent];
  uid: [IdEvent];
  gid: [IdEvent];
  sid: [SidEvent];
  ptrace: [PtraceEvent];
  coredump: [CoredumpEvent];
  lost: [LostEvent];
  resync: [ResyncEvent];
  error: [Error];
  close: [];
}

/** How the sources are opened: replaced in tests. */
export interface SourceOpeners {
  connector: (sink: EventSink, options: ConnectorSourceOptions) => EventSourceHandle;
  polling: typeof openPollingSource;
}

const DEFAULT_HIGH_WATER_MARK = 16_384;
/** The least time between two resyncs, ms: a scan of 1,000 processes takes tens of ms. */
export const RESYNC_SPACING_MS = 250;
const DEFAULT_OPENERS: SourceOpeners = {
  connector: openConnectorSource,
  polling: openPollingSource,
};

/**
 * Process events as they happen. Listeners get each event synchronously as it is delivered
 * ('event' for every one, then the one named after its type); each async iterator gets them
 * through its own bounded queue. Events a source cannot produce are never emitted (polling has
 * no fork, comm, uid, ...: see `source.misses`).
 *
 * Listen to 'error': as with every EventEmitter, an 'error' with no listener is thrown (unless an
 * async iterator is open: it ends by throwing the error instead). After an error the source is
 * closed and 'close' follows.
 */
export class ProcessEvents extends EventEmitter<ProcessEventsEventMap> {
  readonly source: SourceChoice;
  private readonly procfs: ProcFS;
  private readonly enrich: boolean;
  private readonly resyncOnLoss: boolean;
  private readonly highWaterMark: number;
  private readonly queues = new Set<EventQueue>();
  // Empty until the scan at open: a source that pushed during open would find it set.
  private picture = new Map<number, PictureEntry>();
  private handle: EventSourceHandle | undefined;
  private isClosed = false;
  // A resync waiting to run (see scheduleResync), and when the last one ran (performance.now()).
  private resyncTimer: NodeJS.Immediate | NodeJS.Timeout | undefined;
  private lastResyncAt = Number.NEGATIVE_INFINITY;

  constructor(options: ProcessEventsOptions = {}, openers: SourceOpeners = DEFAULT_OPENERS) {
    super();
    const checked = checkOptions(options);
    this.procfs = options.procfs ?? defaultProcFS();
    this.enrich = options.enrich ?? false;
    this.resyncOnLoss = options.resync ?? true;
    this.highWaterMark = checked.highWaterMark;
    const sink: EventSink = {
      push: (event, hint) => this.deliver(event, hint?.followedBy),
      fail: (error) => this.fail(error),
    };
    const asked = options.source ?? 'auto';
    let connector: EventSourceHandle | undefined;
    let reason = 'asked for';
    if (asked !== 'polling') {
      try {
        const receiveBufferBytes = options.receiveBufferBytes;
        connector = openers.connector(sink, receiveBufferBytes ? { receiveBufferBytes } : {});
      } catch (error) {
        if (asked === 'connector') throw asSourceError(error);
        reason = whyNot(error);
      }
    }
    // The connector opens before the scan, so nothing happens unseen between the two; the
    // events it has already queued arrive after the scan and agree with it or update it.
    let initial: RunningProcess[];
    try {
      initial = scanRunning(this.procfs);
    } catch (error) {
      connector?.close();
      throw error;
    }
    this.picture = pictureOf(initial);
    if (connector !== undefined) {
      this.handle = connector;
      this.source = {
        kind: 'connector',
        reason: asked === 'auto' ? "auto: the kernel's proc connector opened" : reason,
        misses: [],
      };
    } else {
      this.handle = openers.polling(sink, {
        intervalMs: checked.pollIntervalMs,
        procfs: this.procfs,
        initial,
      });
      const misses = [...POLLING_MISSES, ...mountMisses(this.procfs)];
      this.source = { kind: 'polling', reason, misses };
    }
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Every event from now on, through a bounded queue (highWaterMark); see event-queue.ts. */
  [Symbol.asyncIterator](): AsyncIterableIterator<ProcessEvent> {
    const queue = new EventQueue(this.highWaterMark, {
      // The copy is needed only to resync against.
      snapshot: () => (this.resyncOnLoss ? new Map(this.picture) : undefined),
      resync: (snapshot) =>
        this.resyncOnLoss ? this.scanAgainst(snapshot as Map<number, PictureEntry>) : undefined,
      source: () => this.source.kind,
      detach: (ended) => this.queues.delete(ended),
    });
    if (this.isClosed) queue.end();
    else this.queues.add(queue);
    return queue;
  }

  /**
   * The processes believed running now, in pid order: the initial scan, kept up to date by the
   * events (and replaced by each resync). A process known only from an event has its start time
   * read now; one that turns out gone or replaced is left out.
   */
  running(): RunningProcess[] {
    const running: RunningProcess[] = [];
    const pending: PictureEntry[] = [];
    for (const entry of this.picture.values()) {
      if (entry.startTime === undefined) pending.push(entry);
      else running.push({ tgid: entry.tgid, ppid: entry.ppid, startTime: entry.startTime });
    }
    if (pending.length > 0) {
      // One batch of stat reads for all of them.
      const found = this.procfs.run(
        all(pending.map((entry) => runningProcessFlow(this.procfs, entry.tgid))),
      );
      pending.forEach((entry, index) => {
        const read = found[index];
        if (read !== undefined && this.sameProcess(entry, read)) {
          this.picture.set(entry.tgid, read);
          running.push(read);
        } else {
          this.picture.delete(entry.tgid);
        }
      });
    }
    return running.sort((a, b) => a.tgid - b.tgid);
  }

  /** Stops the source, ends every iterator (their for-await loops end), emits 'close'. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.cancelResync();
    this.handle?.close();
    for (const queue of this.queues) queue.end({ discard: true });
    this.queues.clear();
    this.emit('close');
  }

  private cancelResync(): void {
    if (this.resyncTimer === undefined) return;
    clearImmediate(this.resyncTimer as NodeJS.Immediate);
    clearTimeout(this.resyncTimer as NodeJS.Timeout);
    this.resyncTimer = undefined;
  }

  /** Keeps Node's event loop alive while open (the default). */
  ref(): void {
    this.handle?.ref();
  }

  /** Lets Node exit while this is open. */
  unref(): void {
    this.handle?.unref();
  }

  // Queues take the event before the picture follows it: a queue that overflows on this event
  // keeps the picture its consumer had, without it.
  private deliver(event: ProcessEvent, followedBy?: 'exec' | 'exit'): void {
    if (this.isClosed) return;
    if (event.type === 'exec' && this.enrich) this.enrichExec(event, followedBy);
    for (const queue of this.queues) queue.push(event);
    this.follow(event);
    this.emitEvent(event);
    if (event.type === 'lost' && this.resyncOnLoss) this.scheduleResync();
  }

  /**
   * One resync for any number of losses: an overrunning connector reports a loss per congested
   * moment and a sequence gap per CPU, hundreds a second under a fork storm, and a scan of every
   * process after each would starve the reader it is meant to repair. The scan runs once the
   * batch in hand is delivered, and at most every RESYNC_SPACING_MS; events in between are
   * delivered and followed as usual, and the resync is made against the picture they left.
   */
  private scheduleResync(): void {
    if (this.resyncTimer !== undefined || this.isClosed) return;
    const wait = Math.max(0, this.lastResyncAt + RESYNC_SPACING_MS - performance.now());
    const run = () => {
      this.resyncTimer = undefined;
      if (this.isClosed) return;
      this.lastResyncAt = performance.now();
      const resync = this.scanAgainst(this.picture);
      for (const queue of this.queues) queue.push(resync);
      this.picture = pictureOf(resync.running);
      this.emitEvent(resync);
    };
    this.resyncTimer = wait === 0 ? setImmediate(run) : setTimeout(run, wait);
  }

  /** Keeps the picture of running processes up to date with one event. */
  private follow(event: ProcessEvent): void {
    switch (event.type) {
      case 'fork':
        if (event.childPid === event.childTgid) {
          this.picture.set(event.childTgid, {
            tgid: event.childTgid,
            ppid: event.parentTgid,
            seenAtNs: event.timestampNs,
          });
        }
        break;
      case 'exec': {
        const known = this.picture.get(event.tgid);
        const read = event.details;
        if (read?.startTime !== undefined && read.ppid !== undefined) {
          // The details' stat is an identity the picture may lack (or have stale).
          if (known?.startTime !== read.startTime) {
            this.picture.set(event.tgid, {
              tgid: event.tgid,
              ppid: read.ppid,
              startTime: read.startTime,
            });
          }
        } else if (known === undefined) {
          this.picture.set(event.tgid, { tgid: event.tgid, ppid: 0, seenAtNs: event.timestampNs });
        }
        break;
      }
      case 'exit':
        if (event.pid === event.tgid) this.picture.delete(event.tgid);
        break;
      default:
    }
  }

  private enrichExec(event: ExecEvent, followedBy: 'exec' | 'exit' | undefined): void {
    // The source already holds a later exec of this process: its pid's /proc shows another
    // program now, never the one of this exec. After its exit, only its zombie is believed.
    if (followedBy === 'exec') {
      event.details = supersededDetails();
      return;
    }
    try {
      event.details = readExecDetails(this.procfs, event.tgid, event.timestampNs, {
        exited: followedBy === 'exit',
      });
    } catch {
      // Not gone, not permission: a read that failed otherwise (EIO, a cap). The event is still
      // delivered, without details; the README says so.
      return;
    }
  }

  /** To the listeners, synchronously: 'event', then the event's type. */
  private emitEvent(event: ProcessEvent): void {
    try {
      this.emit('event', event);
      (this.emit as (name: string, event: ProcessEvent) => boolean)(event.type, event);
    } catch (error) {
      // A listener threw: it surfaces as an uncaught exception, as it would from an I/O
      // callback, but not inside the source, which goes on delivering.
      process.nextTick(() => {
        throw error;
      });
    }
  }

  private fail(error: Error): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.cancelResync();
    this.handle?.close();
    const iterating = this.queues.size > 0;
    for (const queue of this.queues) queue.end({ error });
    this.queues.clear();
    if (this.listenerCount('error') > 0 || !iterating) {
      try {
        this.emit('error', error);
      } catch (unhandled) {
        process.nextTick(() => {
          throw unhandled;
        });
      }
    }
    this.emit('close');
  }

  /** A scan now, as a resync against `before`. */
  private scanAgainst(before: ReadonlyMap<number, PictureEntry>): ResyncEvent {
    const running = scanRunning(this.procfs);
    return resyncEvent(before, running, this.source.kind, process.hrtime.bigint(), (entry, found) =>
      this.sameProcess(entry, found),
    );
  }

  /** Whether a process found by a scan is the one an entry of the picture names. */
  private sameProcess(entry: PictureEntry, found: RunningProcess): boolean {
    if (entry.startTime !== undefined) return entry.startTime === found.startTime;
    if (entry.seenAtNs === undefined) return false;
    const seenAt = entry.seenAtNs;
    if (found.startTime <= this.procfs.run(latestStartTicks(this.procfs, seenAt))) return true;
    // Measured again before a pid is judged reused: a suspend since changes the clocks' offset.
    return found.startTime <= this.procfs.run(latestStartTicks(this.procfs, seenAt, true));
  }
}

/** Opens the events of every process: see ProcessEvents. */
export function openProcessEvents(options?: ProcessEventsOptions): ProcessEvents {
  return new ProcessEvents(options);
}

function checkOptions(options: ProcessEventsOptions): {
  highWaterMark: number;
  pollIntervalMs: number;
} {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`options must be an object, got ${String(options)}`);
  }
  const source = options.source ?? 'auto';
  if (source !== 'auto' && source !== 'connector' && source !== 'polling') {
    throw new TypeError(`source must be 'auto', 'connector' or 'polling', got ${String(source)}`);
  }
  const highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
  if (!Number.isSafeInteger(highWaterMark) || highWaterMark < 1) {
    throw new TypeError(`highWaterMark must be a positive integer, got ${String(highWaterMark)}`);
  }
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  if (!Number.isFinite(pollIntervalMs) || pollIntervalMs < 1 || pollIntervalMs > 2_147_483_647) {
    throw new TypeError(
      `pollIntervalMs must be a number of ms from 1 to 2^31-1, got ${String(pollIntervalMs)}`,
    );
  }
  const buffer = options.receiveBufferBytes;
  if (buffer !== undefined && (!Number.isSafeInteger(buffer) || buffer < 1)) {
    throw new TypeError(`receiveBufferBytes must be a positive integer, got ${String(buffer)}`);
  }
  return { highWaterMark, pollIntervalMs };
}

/** Why the connector could not be used: 'EPERM: ...' when the error has an errno name. */
function whyNot(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && !message.startsWith(code) ? `${code}: ${message}` : message;
}

function asSourceError(error: unknown): EventSourceError {
  if (error instanceof EventSourceError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return new EventSourceError(
    `cannot open the proc connector: ${message}`,
    'connector',
    typeof code === 'string' ? code : undefined,
    { cause: error },
  );
}
