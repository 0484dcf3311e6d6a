// Types of forkstat.mjs for the TypeScript tests that drive forkstat (packages/events).

export interface ForkstatEvent {
  type: 'event';
  /** fork, clone, exec, exit, comm, uid, gid, sid, ptrace, core. */
  event: string;
  time: string;
  pid: number;
  /** fork and clone: which of the two lines (parent, child, thread). */
  role?: 'parent' | 'child' | 'thread';
  /** exit: the raw wait status. */
  status?: number;
  /** exit: forkstat's duration, undefined when it says unknown. */
  seconds?: number;
  process: string;
}

export type ForkstatLine =
  | ForkstatEvent
  | { type: 'nobufs'; time: string; why: string }
  | { type: 'heading' | 'blank' | 'stats-heading' | 'no-stats' }
  | { type: 'stats'; counts: Record<string, number>; total: number; process: string };

export interface ForkstatOutput {
  events: ForkstatEvent[];
  nobufs: number;
  stats: Extract<ForkstatLine, { type: 'stats' }>[];
  headings: number;
}

export interface CpuTime {
  userMs: number;
  systemMs: number;
  totalMs: number;
}

export interface RunningForkstat {
  pid: number;
  ready: Promise<void>;
  output: ForkstatOutput & { unparsed: string[] };
  cpuTime(): CpuTime;
  stop(): Promise<ForkstatOutput & { unparsed: string[]; stderr: string }>;
}

export class ForkstatLineError extends Error {
  line: string;
}
export function parseForkstatLine(line: string): ForkstatLine;
export function parseForkstatOutput(text: string): ForkstatOutput;
export function ticksPerSecond(): number;
export function readCpuTime(pid: number): CpuTime;
export function startForkstat(options?: { events?: string; binary?: string }): RunningForkstat;
