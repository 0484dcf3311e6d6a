// socketsOfAsync's early dumps: the tcp and unix tables dumped, undecoded, while a process's
// descriptors are listed on libuv's thread pool (procfs.runAsync), then replayed for the inodes
// the listing found. A bounded number of calls hold them at once, and their recordings are
// pooled for the next.
import type { Flow } from '@procmon/procfs';
import type { Channels, Source } from './channels.js';
import { DumpInterruptedError } from './netlink/errors.js';
import {
  DumpRecording,
  dumpTableRetrying,
  resolveSink,
  TABLE_ORDER,
  type TableName,
} from './netlink/tables.js';
import { lookAgain } from './second-look.js';
import { inodeSet, RESOLVE_STATES, type ReadContext, readTable } from './table-reads.js';
import type { SocketEntry } from './types.js';

// The tables socketsOfAsync dumps while it lists descriptors: where nearly every socket is.
const EARLY_TABLES: readonly TableName[] = ['tcp', 'unix'];
// At most this many socketsOfAsync calls of one resolver hold early dumps at once (each holds a copy
// of the tcp and unix tables until its listing is done); more list first, then resolve.
const MAX_EARLY_IN_FLIGHT = 4;

/** What socketsOfAsync dumped while the descriptors were being listed. */
export interface EarlyDump {
  /** Where it was dumped: its channel may be closed by the time the listing is done. */
  source: Source & { backend: 'netlink' };
  recorded: Map<TableName, DumpRecording>;
}

/** The early dumps of one resolver. */
export class EarlyDumps {
  // One recording per early table, kept from an earlier socketsOfAsync for its memory (a call takes
  // it, or makes its own when another call has it; only one goes back).
  private readonly recordings = new Map<TableName, DumpRecording>();
  // socketsOfAsync calls holding early dumps now (at most MAX_EARLY_IN_FLIGHT).
  private inFlight = 0;

  constructor(
    private readonly context: ReadContext,
    private readonly channels: Channels,
  ) {}

  /**
   * The tables most sockets are in (tcp, unix) dumped into recordings, in the namespace of `pid`,
   * on this thread, before the inodes wanted from them are known; undefined when its tables are
   * read from /proc/<pid>/net (those reads wait for the listing, whose errors come first), or
   * when MAX_EARLY_IN_FLIGHT calls already hold early dumps. Hand it to `release` once done.
   */
  dump(pid: number): EarlyDump | undefined {
    if (this.inFlight >= MAX_EARLY_IN_FLIGHT) return undefined;
    const source = this.channels.sourceFor(pid);
    if (source.backend !== 'netlink') return undefined;
    const early: EarlyDump = { source, recorded: new Map() };
    this.inFlight++;
    try {
      for (const table of EARLY_TABLES) {
        const recording = this.recordings.get(table) ?? new DumpRecording();
        this.recordings.delete(table);
        recording.reset();
        let result: 'done' | 'unsupported';
        try {
          result = dumpTableRetrying(source.channel, table, RESOLVE_STATES, recording, () => []);
        } catch (error) {
          if (!(error instanceof DumpInterruptedError)) this.context.drop(source.channel);
          throw error;
        }
        // An unsupported table is read from /proc/<pid>/net after the listing, as resolve does.
        if (result === 'done') early.recorded.set(table, recording);
      }
    } catch (error) {
      this.release(early);
      throw error;
    }
    return early;
  }

  /** The end of an early dump: its recordings go back to the pool, one per table at most. */
  release(early: EarlyDump): void {
    this.inFlight--;
    for (const [table, recording] of early.recorded) {
      if (!this.recordings.has(table)) this.recordings.set(table, recording);
    }
    early.recorded.clear();
  }

  /**
   * resolve(inodes, { pid }) on top of an early dump, on this thread: the recorded tables are
   * replayed (decoding the wanted sockets), the others dumped now, in the usual order, until
   * every inode is found. An inode still missing may also be a socket opened after the early
   * dump (the listing found it later): the second look, as in resolve(), finds it, so the result
   * is the one resolve() gives after the listing. The live reads go through the channel of the
   * early dump while it is open, else through the channel `sourceFor(pid)` gives now (close(),
   * another call's failed dump or the namespace LRU may have closed it while the listing ran).
   */
  finish(early: EarlyDump, inodes: number[], pid: number): Map<number, SocketEntry> {
    return this.context.procfs.run(this.finishFlow(early, inodes, pid));
  }

  private *finishFlow(
    early: EarlyDump,
    inodes: number[],
    pid: number,
  ): Flow<Map<number, SocketEntry>> {
    const wanted = inodeSet(inodes);
    const found = new Map<number, SocketEntry>();
    const sink = resolveSink(wanted, found);
    let live: Source | undefined;
    for (const table of TABLE_ORDER) {
      if (found.size === wanted.size) break;
      const recording = early.recorded.get(table);
      if (recording !== undefined) {
        recording.replay(sink);
        continue;
      }
      live ??= this.liveSource(early, pid);
      const partial = () => [...found.values()];
      yield* readTable(this.context, live, table, RESOLVE_STATES, sink, partial);
    }
    if (found.size < wanted.size) {
      yield* lookAgain(this.context, live ?? this.liveSource(early, pid), wanted, found, sink);
    }
    sink.settle();
    return found;
  }

  /** The channel of an early dump while it is open, else `sourceFor(pid)` again. */
  private liveSource(early: EarlyDump, pid: number): Source {
    return early.source.channel.closed ? this.channels.sourceFor(pid) : early.source;
  }
}
