// The events every source delivers, whatever it learned them from. Field names follow the
// kernel's `struct proc_event` (linux/cn_proc.h): `pid` is the thread id, `tgid` the process id
// (what ps calls PID). A source that cannot know a field leaves it undefined, never guessed.

/** Where an event came from: the kernel's proc connector, or a diff of the pid list. */
export type EventSourceKind = 'connector' | 'polling';

/** What every event carries. */
export interface EventBase {
  /**
   * When it happened, in nanoseconds of CLOCK_MONOTONIC (`process.hrtime.bigint()` reads the
   * same clock): the kernel's `timestamp_ns` for the connector, the time of the poll that saw
   * it for polling.
   */
  timestampNs: bigint;
  /** The CPU the kernel reported it on; undefined from polling. */
  cpu?: number | undefined;
  source: EventSourceKind;
}

/** A new thread or process. `childPid === childTgid` when a process was forked. */
export interface ForkEvent extends EventBase {
  type: 'fork';
  parentPid: number;
  parentTgid: number;
  childPid: number;
  childTgid: number;
}

/** What was read of a program right after its exec (see `ExecEvent.details`). */
export interface ExecDetails {
  /** The executable's path (`/proc/<pid>/exe`), as the kernel names it (` (deleted)` kept). */
  path?: string | undefined;
  args?: string[] | undefined;
  cwd?: string | undefined;
  ppid?: number | undefined;
  /** Start time in clock ticks since boot (`stat` field 22): with the pid, the identity. */
  startTime?: number | undefined;
  /** Real, effective, saved and filesystem uid. */
  uids?: [number, number, number, number] | undefined;
  comm?: string | undefined;
  /** What could not be read, by field, with the reason: the process was gone or not readable. */
  missing: Partial<Record<'path' | 'args' | 'cwd' | 'stat' | 'uids', 'gone' | 'not-permitted'>>;
}

/** A process ran a new program. */
export interface ExecEvent extends EventBase {
  type: 'exec';
  pid: number;
  tgid: number;
  /**
   * Present when enrichment was asked for: what was read at once, before the program could
   * exit. Polling marks a process it found new as an exec (it cannot tell a fork from an exec).
   */
  details?: ExecDetails | undefined;
}

/** A thread or process ended. The process ended when `pid === tgid`. */
export interface ExitEvent extends EventBase {
  type: 'exit';
  pid: number;
  tgid: number;
  /** The wait status's exit code (`status >> 8 & 0xff`); undefined when a signal killed it. */
  code?: number | undefined;
  /** The signal that killed it (`status & 0x7f`), undefined when it exited. */
  signal?: number | undefined;
  /** The raw wait status (`task->exit_code`); undefined from polling. */
  status?: number | undefined;
  /** The signal sent to the parent on exit (SIGCHLD is 17); undefined from polling. */
  exitSignal?: number | undefined;
  parentPid?: number | undefined;
  parentTgid?: number | undefined;
}

/** A thread changed its name (prctl PR_SET_NAME, or a write to comm). */
export interface CommEvent extends EventBase {
  type: 'comm';
  pid: number;
  tgid: number;
  comm: string;
}

/** Real and effective uid or gid changed (setuid, setresuid, ...). */
export interface IdEvent extends EventBase {
  type: 'uid' | 'gid';
  pid: number;
  tgid: number;
  real: number;
  effective: number;
}

/** The process called setsid. */
export interface SidEvent extends EventBase {
  type: 'sid';
  pid: number;
  tgid: number;
}

/** A tracer attached (tracerPid non-zero) or detached (zero). */
export interface PtraceEvent extends EventBase {
  type: 'ptrace';
  pid: number;
  tgid: number;
  tracerPid: number;
  tracerTgid: number;
}

/** The process dumped core. */
export interface CoredumpEvent extends EventBase {
  type: 'coredump';
  pid: number;
  tgid: number;
  parentPid?: number | undefined;
  parentTgid?: number | undefined;
}

/**
 * Events were lost: the kernel's socket buffer overran (`overrun`, ENOBUFS), the connector's
 * per-CPU sequence skipped (`sequence-gap`, with how many), or the consumer fell behind and the
 * queue was full (`queue-full`, with how many were dropped). A `resync` follows.
 */
export interface LostEvent extends EventBase {
  type: 'lost';
  reason: 'overrun' | 'sequence-gap' | 'queue-full';
  /** How many events were lost, when that is known (never for `overrun`). */
  count?: number | undefined;
}

/** A process found running by a scan of /proc. */
export interface RunningProcess {
  tgid: number;
  ppid: number;
  startTime: number;
}

/**
 * The picture of running processes made whole again after a loss: every process running now,
 * and against the picture before, those that started and those that are gone.
 */
export interface ResyncEvent extends EventBase {
  type: 'resync';
  running: RunningProcess[];
  started: RunningProcess[];
  gone: number[];
}

export type ProcessEvent =
  | ForkEvent
  | ExecEvent
  | ExitEvent
  | CommEvent
  | IdEvent
  | SidEvent
  | PtraceEvent
  | CoredumpEvent
  | LostEvent
  | ResyncEvent;

export type ProcessEventType = ProcessEvent['type'];

export const PROCESS_EVENT_TYPES: readonly ProcessEventType[] = [
  'fork',
  'exec',
  'exit',
  'comm',
  'uid',
  'gid',
  'sid',
  'ptrace',
  'coredump',
  'lost',
  'resync',
];
