// The columns of `ps aux` computed as procps computes them, from a process's stat and the
// machine's facts: %CPU over the process's lifetime, %MEM of MemTotal, STAT with its flags,
// START and TIME in ps's formats.
import type { Stat } from '@procmon/parse';

/**
 * %CPU as ps shows it (procps `pcpu`): CPU time (user + system, not of children) over the
 * seconds since the process started, times 100. Zero for a process that started this second.
 */
export function lifetimeCpuPercent(stat: Stat, clockTicks: number, uptimeSeconds: number): number {
  const seconds = uptimeSeconds - stat.startTime / clockTicks;
  if (!(seconds > 0)) return 0;
  return ((stat.utime + stat.stime) / clockTicks / seconds) * 100;
}

/**
 * STAT as ps shows it, in procps's order: the state letter, then `<` (nice below 0), `N` (nice
 * above 0), `L` (pages locked in memory: status's VmLck, given as `locked`), `s` (session
 * leader: its pid is its session id), `l` (more than one thread), `+` (in the foreground
 * process group of its terminal).
 */
export function statText(stat: Stat, locked = false): string {
  let text: string = stat.state;
  if (stat.nice < 0) text += '<';
  if (stat.nice > 0) text += 'N';
  if (locked) text += 'L';
  if (stat.session === stat.pid) text += 's';
  if (stat.numThreads > 1) text += 'l';
  // tpgid is -1 without a terminal, and so is pgrp for a task being released: no foreground.
  if (stat.tpgid > 0 && stat.tpgid === stat.pgrp) text += '+';
  return text;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (value: number) => String(value).padStart(2, '0');

/**
 * START as ps shows it, in local time: `HH:MM` for a process started today, `MonDD` (`Dec07`)
 * earlier this year, else the year.
 */
export function startText(started: Date, now: Date): string {
  if (started.getFullYear() !== now.getFullYear()) return String(started.getFullYear());
  const sameDay = started.getMonth() === now.getMonth() && started.getDate() === now.getDate();
  if (!sameDay) return `${MONTHS[started.getMonth()]}${two(started.getDate())}`;
  return `${two(started.getHours())}:${two(started.getMinutes())}`;
}

/** TIME as `ps aux` shows it: cumulative CPU time as minutes:seconds (`0:03`, `125:07`). */
export function cpuTimeText(seconds: number): string {
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}:${two(whole % 60)}`;
}

/** A percent as ps prints it: one decimal (`0.3`, `12.0`), a whole number from 1000 up. */
export function percentText(percent: number): string {
  // ps cuts to tenths rather than rounding: 0.09 shows as 0.0.
  const tenths = Math.floor(percent * 10);
  return tenths >= 10000 ? String(Math.floor(tenths / 10)) : (tenths / 10).toFixed(1);
}
