// The state letter of /proc/<pid>/stat and its name.
import type { StatState, StatStateName } from './stat.js';

export const STATE_NAMES: { readonly [letter in StatState]: StatStateName } = {
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

export function stateLetter(byte: number): StatState | undefined {
  switch (byte) {
    case 0x52:
      return 'R';
    case 0x53:
      return 'S';
    case 0x44:
      return 'D';
    case 0x5a:
      return 'Z';
    case 0x54:
      return 'T';
    case 0x74:
      return 't';
    case 0x58:
      return 'X';
    case 0x78:
      return 'x';
    case 0x4b:
      return 'K';
    case 0x57:
      return 'W';
    case 0x50:
      return 'P';
    case 0x49:
      return 'I';
    default:
      return undefined;
  }
}
