// `procmon watch`: process events as they happen, one line each (or one JSON object), from the
// kernel's proc connector, else by polling /proc (said on stderr, with what polling misses).
// Events are taken through ProcessEvents's async iterator, each line written before the next is
// taken: a reader slower than the events makes the queue drop, and the loss is printed (a `lost`
// line, then a `resync`) rather than kept in memory without bound. Ends on SIGINT, SIGTERM or
// after --count printed events, with status 0.
import {
  DEFAULT_POLL_INTERVAL_MS,
  openProcessEvents,
  PROCESS_EVENT_TYPES,
  type ProcessEvent,
  type SourceChoice,
} from '@procmon/events';
import { escapeText } from '@procmon/parse';
import { type ScannedProcess, scanProcesses } from '@procmon/process';
import { writeErr, writeOut } from './output.js';
import { uidOfUser, userName, userNames } from './users.js';
import { checkEventTypes, type WatchArguments } from './watch-arguments.js';
import { shows, type WatchFilter } from './watch-filter.js';
import { eventJson, eventLine, headerLine, type LineContext } from './watch-format.js';
import { type KnownProcess, ProcessTable } from './watch-processes.js';

export async function watch(args: WatchArguments): Promise<void> {
  // The user's errors first, before anything is opened.
  const filter: WatchFilter = {
    types:
      args.event === undefined
        ? undefined
        : new Set(checkEventTypes(args.event, PROCESS_EVENT_TYPES)),
    uids: args.user === undefined ? undefined : new Set(args.user.map((user) => uidOfUser(user))),
    program: args.program,
  };
  const events = openProcessEvents({
    enrich: args.details,
    source: args.poll ? 'polling' : 'auto',
    ...(args.interval === undefined ? {} : { pollIntervalMs: args.interval }),
  });
  // Taken now, so every event from the open on is queued for it while the scan below runs.
  const stream = events[Symbol.asyncIterator]();
  // A failure ends the iterator by throwing it; this listener keeps the emitter's own 'error'
  // from throwing too (Node throws an 'error' nobody listens to).
  events.on('error', () => {});
  const stop = () => events.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await writeErr(`${sourceText(events.source, args.interval ?? DEFAULT_POLL_INTERVAL_MS)}\n`);
    if (!args.details && (args.user !== undefined || args.program !== undefined)) {
      await writeErr(
        'procmon: with --no-details, what a process runs after an exec is not read: --program matches only programs running at the start, --user only processes running then and those they fork (seen by the connector)\n',
      );
    }
    // After the open: a process started in between is in both, none is in neither.
    const table = new ProcessTable(
      knownProcesses(scanProcesses({ fields: ['path', 'args', 'uids'] })),
    );
    if (!args.json) await writeOut(`${headerLine()}\n`);
    let printed = 0;
    for await (const event of { [Symbol.asyncIterator]: () => stream }) {
      table.learn(event);
      if (shows(event, table.of(event), filter)) {
        await writeOut(`${lineOf(event, table, args.json === true)}\n`);
        printed++;
      }
      table.forget(event);
      if (args.count !== undefined && printed >= args.count) break;
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    events.close();
  }
}

function lineOf(event: ProcessEvent, table: ProcessTable, json: boolean): string {
  const context: LineContext = {
    process: table.of(event),
    userName: (uid) => userName(uid),
    clocks: { wallMs: Date.now(), monotonicNs: process.hrtime.bigint() },
  };
  return json ? eventJson(event, context) : eventLine(event, context);
}

/** What runs, on stderr: the connector, or polling with why and what it cannot see. */
export function sourceText(source: SourceChoice, intervalMs: number): string {
  if (source.kind === 'connector') {
    return "procmon: watching the kernel's proc connector (Ctrl-C to stop)";
  }
  const misses = source.misses.length > 0 ? `; it misses ${source.misses.join('; ')}` : '';
  return escapeText(
    `procmon: watching by polling /proc every ${intervalMs} ms (${source.reason})${misses}`,
  );
}

/** The scan as the table's first picture, with every user's name looked up in one go. */
function knownProcesses(scanned: readonly ScannedProcess[]): [number, KnownProcess][] {
  const known: [number, KnownProcess][] = scanned.map((process) => [
    process.pid,
    {
      ppid: process.ppid,
      uid: process.uids?.effective,
      comm: process.comm,
      // A path the process chose (args[0], comm) is not its executable's.
      path: process.pathSource === 'exe' ? process.path : undefined,
      args: process.args,
    },
  ]);
  userNames(known.flatMap(([, process]) => (process.uid === undefined ? [] : [process.uid])));
  return known;
}
