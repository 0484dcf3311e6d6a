import { constants } from 'node:os';

let names: Map<number, string> | undefined;

/** `ENOENT` for 2, and so on, from Node's table of this platform's errno values. */
export function errnoName(errno: number): string {
  if (names === undefined) {
    names = new Map();
    for (const [name, value] of Object.entries(constants.errno)) {
      if (!names.has(value)) names.set(value, name);
    }
  }
  return names.get(errno) ?? `E${errno}`;
}
