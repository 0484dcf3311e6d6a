// What the kernel's documentation gives (man 5 proc, nsfs), written here apart from src/ so that
// the unit and fuzz tests check the parsers against it, not against the parsers' own tables.
import type { NamespaceType, StatState, StatStateName } from '../src/index.js';

/** The name of each state letter of /proc/<pid>/stat (`X` and `x` are both dead). */
export const STAT_STATE_NAMES: Readonly<Record<StatState, StatStateName>> = {
  R: 'running',
  S: 'sleeping',
  D: 'disk-sleep',
  Z: 'zombie',
  T: 'stopped',
  t: 'tracing-stop',
  X: 'dead',
  x: 'dead',
  K: 'wakekill',
  W: 'waking',
  P: 'parked',
  I: 'idle',
};

/** The names of the files of /proc/<pid>/ns, as their links (`net:[4026531840]`) start. */
export const NAMESPACE_TYPES: readonly NamespaceType[] = [
  'cgroup',
  'ipc',
  'mnt',
  'net',
  'pid',
  'pid_for_children',
  'time',
  'time_for_children',
  'user',
  'uts',
];
