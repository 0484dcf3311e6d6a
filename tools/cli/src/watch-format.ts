// `procmon watch`'s lines: for people, one line per event with TIME, EVENT, PID, PPID, USER,
// PROGRAM and ARGS (for an event other than exec, what happened); for machines (--json), one
// JSON object per line. Pure: the event, what is known of its process and the clocks in, text
// out. Every name and argument a process chose is escaped (escapeText) in text; JSON keeps the
// exact strings.
import { constants } from 'node:os';
import type { ProcessEvent } from '@procmon/events';
import { escapeText } from '@procmon/parse';
import { cutToWidth, displayWidth } from './display-width.js';
import { shellQuote } from './format.js';
import { basename } from './watch-filter.js';
import type { KnownProcess } from './watch-processes.js';

/** The two clocks read together, to put a monotonic timestamp on the wall clock. */
export interface Clocks {
  /** Date.now() */
  wallMs: number;
  /** process.hrtime.bigint(): CLOCK_MONOTONIC, the events' clock. */
  monotonicNs: bigint;
}

/** What a line shows beside the event: the process as known, and its user's name. */
export interface LineContext {
  process: KnownProcess | undefined;
  /** The name of a uid, undefined when it has none. */
  userName(uid: number): string | undefined;
  clocks: Clocks;
}

/** When the event happened, in ms since the epoch: now, less how long ago the kernel stamped it. */
export function wallClockMs(timestampNs: bigint, clocks: Clocks): number {
  return clocks.wallMs - Number(clocks.monotonicNs - timestampNs) / 1e6;
}

/** HH:MM:SS.mmm of the local time. */
export function timeText(ms: number): string {
  const date = new Date(Math.round(ms));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

const COLUMNS = [
  ['TIME', 12],
  ['EVENT', 8],
  ['PID', 7],
  ['PPID', 7],
  ['USER', 8],
  ['PROGRAM', 16],
] as const;

/** The header line of the text output. */
export function headerLine(): string {
  return [...COLUMNS.map(([title, width]) => pad(title, width, title.endsWith('PID'))), 'ARGS']
    .join(' ')
    .trimEnd();
}

/** One event as one line for people (no newline). */
export function eventLine(event: ProcessEvent, context: LineContext): string {
  const time = timeText(wallClockMs(event.timestampNs, context.clocks));
  if (event.type === 'lost' || event.type === 'resync') {
    return `${pad(time, 12)} ${pad(event.type, 8)} ${lossText(event)}`;
  }
  const { process } = context;
  const pid = event.type === 'fork' ? event.childTgid : event.tgid;
  const ppid = event.type === 'fork' ? event.parentTgid : process?.ppid;
  const cells = [
    time,
    event.type,
    String(pid),
    ppid === undefined ? '-' : String(ppid),
    userText(process?.uid, context.userName),
    programText(process),
  ];
  const head = cells.map((cell, i) => pad(cell, COLUMNS[i]?.[1] ?? 0, i === 2 || i === 3));
  return `${head.join(' ')} ${whatText(event, process)}`.trimEnd();
}

/** One event as one JSON line (no newline): the event's fields, its time, its process as known. */
export function eventJson(event: ProcessEvent, context: LineContext): string {
  const { process } = context;
  // timestampNs is the one bigint of an event: written as a decimal string, without a replacer
  // (JSON.stringify with one is several times slower).
  const line: Record<string, unknown> = {
    ...event,
    timestampNs: event.timestampNs.toString(),
    time: new Date(Math.round(wallClockMs(event.timestampNs, context.clocks))).toISOString(),
  };
  if (process !== undefined) {
    line.process = {
      ...process,
      user: process.uid === undefined ? undefined : context.userName(process.uid),
    };
  }
  if (event.type === 'exit' && event.signal !== undefined)
    line.signalName = signalName(event.signal);
  return escapeLineBreaks(JSON.stringify(line));
}

// Characters JSON.stringify leaves raw that Unicode-aware readers (Python's str.splitlines(),
// among others) take for line breaks: a name or argument holding one would split the event into
// lines that are not JSON.
const RAW_LINE_BREAK = /[\u0085\u2028\u2029]/;
const RAW_LINE_BREAKS = /[\u0085\u2028\u2029]/g;

/** JSON text with those characters as \u escapes: the same strings once parsed. */
function escapeLineBreaks(json: string): string {
  if (!RAW_LINE_BREAK.test(json)) return json;
  return json.replace(
    RAW_LINE_BREAKS,
    (character) => `\\u${(character.codePointAt(0) as number).toString(16).padStart(4, '0')}`,
  );
}

/** USER as ps shows it: the name (else the uid, `-` when unknown), cut to 8 columns with `+`. */
function userText(uid: number | undefined, userName: (uid: number) => string | undefined): string {
  if (uid === undefined) return '-';
  const user = escapeText(userName(uid) ?? String(uid));
  return displayWidth(user) <= 8 ? user : `${cutToWidth(user, 7)}+`;
}

/** PROGRAM: the executable's basename, else the comm in brackets (a name it chose), else `-`. */
function programText(process: KnownProcess | undefined): string {
  if (process?.path !== undefined) {
    const name = escapeText(basename(process.path));
    return displayWidth(name) <= 16 ? name : `${cutToWidth(name, 15)}+`;
  }
  if (process?.comm !== undefined) return `[${escapeText(process.comm)}]`;
  return '-';
}

/** The last column: an exec's arguments; for other events, what happened. */
function whatText(event: ProcessEvent, process: KnownProcess | undefined): string {
  switch (event.type) {
    case 'exec': {
      const args = event.details?.args ?? process?.args;
      if (args === undefined) {
        const missing = event.details?.missing.args;
        return missing === undefined ? '' : `(arguments not read: ${missing})`;
      }
      return args.map(shellQuote).join(' ');
    }
    case 'fork':
      return event.childPid === event.childTgid
        ? `${event.parentTgid}→${event.childTgid}`
        : // A thread's parent in the event is its process's parent (CLONE_THREAD shares
          // real_parent), not the process that made it: name the thread alone.
          `new thread ${event.childPid}`;
    case 'exit':
      return exitText(event);
    case 'comm':
      return `comm ${escapeText(event.comm)}${event.pid === event.tgid ? '' : ` (thread ${event.pid})`}`;
    case 'uid':
    case 'gid':
      return `${event.type} ${event.real}, effective ${event.effective}`;
    case 'sid':
      return 'new session';
    case 'ptrace':
      return event.tracerTgid === 0 ? 'tracer detached' : `traced by ${event.tracerTgid}`;
    case 'coredump':
      return 'dumped core';
    default:
      return '';
  }
}

function exitText(event: Extract<ProcessEvent, { type: 'exit' }>): string {
  const thread = event.pid === event.tgid ? '' : ` (thread ${event.pid})`;
  const core = event.status !== undefined && (event.status & 0x80) !== 0 ? ', core dumped' : '';
  if (event.signal !== undefined) return `signal ${signalName(event.signal)}${core}${thread}`;
  if (event.code !== undefined) return `code ${event.code}${thread}`;
  return `code unknown (${event.source})${thread}`;
}

/** SIGKILL for 9; the number when Node knows no name for it. */
export function signalName(signal: number): string {
  for (const [name, number] of Object.entries(constants.signals)) {
    if (number === signal) return name;
  }
  return String(signal);
}

function lossText(event: Extract<ProcessEvent, { type: 'lost' | 'resync' }>): string {
  if (event.type === 'resync') {
    return `picture rebuilt from /proc: ${event.running.length} running, ${event.started.length} started and ${event.gone.length} gone while events were lost`;
  }
  const count = event.count === undefined ? 'events' : `${event.count} events`;
  switch (event.reason) {
    case 'overrun':
      return `${count} lost: the kernel's socket buffer overran (ENOBUFS)`;
    case 'sequence-gap':
      return `${count} lost: the connector's sequence skipped`;
    case 'queue-full':
      return `${count} lost: this command fell behind and its queue was full`;
    default:
      return `${count} lost`;
  }
}

/** `text` padded to `width` columns (on the left for numbers); never cut. */
function pad(text: string, width: number, right = false): string {
  const missing = Math.max(0, width - displayWidth(text));
  return right ? ' '.repeat(missing) + text : text + ' '.repeat(missing);
}
