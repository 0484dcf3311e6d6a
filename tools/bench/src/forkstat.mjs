// forkstat (Debian's `forkstat`, another listener on the kernel's proc connector) run beside
// procmon's listener: started in the background, its lines parsed into events, its CPU time read
// from /proc before it is stopped. The line formats are forkstat 0.03's printf calls (forkstat.c,
// monitor()), without -x or -g:
//   HH:MM:SS fork  <ppid> parent          <cmdline>     (ppid read from the child's status;
//   HH:MM:SS fork  <pid> child           <cmdline>       0 when the child was already gone)
//   HH:MM:SS clone <tgid> parent ... / clone <tid> thread ...   (threads, with -e clone)
//   HH:MM:SS exec  <pid>                 <cmdline>
//   HH:MM:SS exit  <pid> <status> <duration|unknown> <cmdline>  (status: the raw wait status)
//   HH:MM:SS recv ----- nobufs          (No buffer space available)   (recv gave ENOBUFS)
// plus the heading, repeated every 24 rows when stdout is not a terminal, and with -S a table
// of counts per command at the end.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseStat } from '@procmon/parse';

export class ForkstatLineError extends Error {
  constructor(line, why) {
    super(`forkstat line not understood (${why}): ${JSON.stringify(line)}`);
    this.name = 'ForkstatLineError';
    this.line = line;
  }
}

const TIME = String.raw`(\d\d:\d\d:\d\d|--:--:--)`;
const EVENT_LINE = new RegExp(`^${TIME} (\\S+) +(\\d+) (.*)$`);
const NOBUFS_LINE = new RegExp(`^${TIME} recv ----- nobufs\\s+\\((.*)\\)$`);
const HEADING = /^Time +Event +PID +Info +Duration +Process$/;
const STATS_HEADING =
  /^ *Fork +Exec +Exit +Coredump +Comm +Clone +Ptrace +Uid +Sid +Total +Process$/;
const STATS_ROW = /^ *((?:\d+ +){10})(.*)$/;
const STATS_COLUMNS = ['fork', 'exec', 'exit', 'coredump', 'comm', 'clone', 'ptrace', 'uid', 'sid'];
const EXIT_INFO = /^ *(-?\d+) +(unknown|\d+\.\d+[smhdwy ]) (.*)$/;
const FORK_INFO = /^(parent|child |thread) +(.*)$/;
// forkstat abbreviates ptrace to ptrce (%-5.5s); the rest are printed as named.
const EVENT_NAMES = { ptrce: 'ptrace' };

/**
 * One line of forkstat's output: an event `{ type: 'event', event, time, pid, process, ...}`
 * (fork/clone add `role`: parent, child or thread; exit adds `status` and `seconds`, undefined
 * when forkstat says unknown), `{ type: 'nobufs', time }`, `{ type: 'heading' }`,
 * `{ type: 'blank' }`, `{ type: 'stats-heading' }`, `{ type: 'stats', counts, total, process }`
 * or `{ type: 'no-stats' }`. Throws ForkstatLineError for anything else.
 */
export function parseForkstatLine(line) {
  const text = line.replace(/\s+$/, '');
  if (text === '') return { type: 'blank' };
  if (HEADING.test(text)) return { type: 'heading' };
  if (STATS_HEADING.test(text)) return { type: 'stats-heading' };
  if (text === 'No statistics gathered.') return { type: 'no-stats' };
  const nobufs = NOBUFS_LINE.exec(text);
  if (nobufs) return { type: 'nobufs', time: nobufs[1], why: nobufs[2] };
  const match = EVENT_LINE.exec(line.replace(/\n$/, ''));
  if (match) return parseEvent(line, match[1], match[2], Number(match[3]), match[4]);
  const stats = STATS_ROW.exec(text);
  if (stats) {
    const numbers = stats[1].trim().split(/ +/).map(Number);
    const counts = Object.fromEntries(STATS_COLUMNS.map((name, i) => [name, numbers[i]]));
    return { type: 'stats', counts, total: numbers[9], process: stats[2] };
  }
  throw new ForkstatLineError(line, 'not an event, heading or statistics line');
}

function parseEvent(line, time, name, pid, rest) {
  const event = EVENT_NAMES[name] ?? name;
  const base = { type: 'event', event, time, pid };
  if (event === 'fork' || event === 'clone') {
    const info = FORK_INFO.exec(rest);
    if (!info) throw new ForkstatLineError(line, `a ${event} without parent, child or thread`);
    return { ...base, role: info[1].trim(), process: info[2].trim() };
  }
  if (event === 'exit') {
    const info = EXIT_INFO.exec(rest);
    if (!info) throw new ForkstatLineError(line, 'an exit without status and duration');
    return { ...base, status: Number(info[1]), seconds: seconds(info[2]), process: info[3].trim() };
  }
  return { ...base, process: rest.trim() };
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000, ' ': 1 };

function seconds(duration) {
  if (duration === 'unknown') return undefined;
  return Number(duration.slice(0, -1)) * UNIT_SECONDS[duration.at(-1)];
}

/** Parses a whole capture: { events, nobufs, stats, headings }. */
export function parseForkstatOutput(text) {
  const out = { events: [], nobufs: 0, stats: [], headings: 0 };
  for (const line of text.split('\n')) add(out, parseForkstatLine(line));
  return out;
}

function add(out, record) {
  if (record.type === 'event') out.events.push(record);
  else if (record.type === 'nobufs') out.nobufs++;
  else if (record.type === 'stats') out.stats.push(record);
  else if (record.type === 'heading') out.headings++;
}

let clockTicks;

/** The kernel's clock ticks per second (stat's utime and stime unit): `getconf CLK_TCK`. */
export function ticksPerSecond() {
  if (clockTicks === undefined) {
    const run = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const value = Number(run.stdout?.trim());
    clockTicks = run.status === 0 && value > 0 ? value : 100;
  }
  return clockTicks;
}

/** A process's CPU time so far from /proc/<pid>/stat: { userMs, systemMs, totalMs }. */
export function readCpuTime(pid) {
  const ticks = ticksPerSecond();
  const stat = parseStat(readFileSync(`/proc/${pid}/stat`));
  const toMs = (count) => (count * 1000) / ticks;
  return {
    userMs: toMs(stat.utime),
    systemMs: toMs(stat.stime),
    totalMs: toMs(stat.utime + stat.stime),
  };
}

/**
 * Starts `forkstat -l -e EVENTS -S` (line-buffered, statistics at the end). Returns
 * { pid, ready, output, cpuTime(), stop() }: `ready` resolves once forkstat printed its heading
 * (it does so after subscribing to the connector, so events from then on reach it); `output`
 * is filled as lines arrive; stop() sends SIGINT, waits for its exit and resolves to the
 * parsed output plus `unparsed` (lines it could not read, kept rather than thrown mid-run).
 */
export function startForkstat({ events = 'fork,exec,exit', binary = 'forkstat' } = {}) {
  const child = spawn(binary, ['-l', '-e', events, '-S'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { events: [], nobufs: 0, stats: [], headings: 0, unparsed: [] };
  let pending = '';
  let stderr = '';
  let onHeading;
  const ready = new Promise((resolve, reject) => {
    onHeading = resolve;
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`forkstat exited (${code ?? signal}) before listening: ${stderr.trim()}`)),
    );
  });
  ready.catch(() => {});
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) {
      try {
        const record = parseForkstatLine(line);
        add(output, record);
        if (record.type === 'heading') onHeading();
      } catch (error) {
        if (!(error instanceof ForkstatLineError)) throw error;
        output.unparsed.push(line);
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => child.once('close', resolve));
  return {
    pid: child.pid,
    ready,
    output,
    cpuTime: () => readCpuTime(child.pid),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
      return { ...output, stderr };
    },
  };
}
