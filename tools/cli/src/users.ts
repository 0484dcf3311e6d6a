// User names for uids, through the system's user database as ps shows them: `getent passwd`
// asks NSS, so LDAP and sssd users resolve too; one spawn answers every uid of a scan. Without
// getent (a minimal image), /etc/passwd. A uid with no name anywhere shows as its number.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { UsageError } from './usage-error.js';

/** The command that answers `<command...> passwd <uid>...` with passwd lines; getent by default. */
export type UserLookupCommand = readonly string[];

export const GETENT: UserLookupCommand = ['getent'];

const known = new Map<number, string | undefined>();

/**
 * The names of `uids`, looked up in one run of `command passwd uid...` (uids already known are
 * not asked again). A uid without a name has no entry in the map.
 */
export function userNames(
  uids: Iterable<number>,
  command: UserLookupCommand = GETENT,
): Map<number, string> {
  const wanted = [...new Set(uids)].filter((uid) => !known.has(uid));
  if (wanted.length > 0) {
    const answered = passwdNames(lookUp(wanted, command) ?? readPasswd());
    for (const uid of wanted) known.set(uid, answered.get(uid));
  }
  const names = new Map<number, string>();
  for (const uid of uids) {
    const name = known.get(uid);
    if (name !== undefined) names.set(uid, name);
  }
  return names;
}

/** The name of one uid (see userNames). */
export function userName(uid: number, command: UserLookupCommand = GETENT): string | undefined {
  return userNames([uid], command).get(uid);
}

/**
 * The uid of a user name, through the same database (`command passwd name`), else /etc/passwd;
 * undefined when no user has that name.
 */
export function uidOfName(name: string, command: UserLookupCommand = GETENT): number | undefined {
  for (const line of (lookUp([name], command) ?? readPasswd()).split('\n')) {
    const [found, , uid] = line.split(':');
    if (found === name && uid !== undefined && /^\d+$/.test(uid)) return Number(uid);
  }
  return undefined;
}

/** A uid as `-u/--user` gives it (digits), or the uid of a name; a name no user has is the user's error. */
export function uidOfUser(user: string, command: UserLookupCommand = GETENT): number {
  if (/^\d+$/.test(user)) return Number(user);
  const uid = uidOfName(user, command);
  if (uid === undefined) throw new UsageError(`no user is named "${user}" (-u/--user)`);
  return uid;
}

/** Forgets the names looked up so far (tests look the same uid up through several commands). */
export function forgetUserNames(): void {
  known.clear();
}

/**
 * Runs the lookup, giving its passwd lines: undefined when it could not run (no getent). getent exits 2 when some key
 * has no entry and still prints the others, so its status is not a failure.
 */
function lookUp(
  keys: readonly (number | string)[],
  command: UserLookupCommand,
): string | undefined {
  const [program, ...rest] = command;
  if (program === undefined) return undefined;
  const run = spawnSync(program, [...rest, 'passwd', ...keys.map(String)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.error || run.status === null || run.status === 1 || run.status === 3) return undefined;
  return run.stdout;
}

function readPasswd(): string {
  try {
    return readFileSync('/etc/passwd', 'utf8');
  } catch {
    return '';
  }
}

/** uid → name from passwd lines (`name:x:uid:gid:...`); the first line for a uid wins, as NSS. */
export function passwdNames(text: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid !== undefined && /^\d+$/.test(uid) && !map.has(Number(uid)))
      map.set(Number(uid), name);
  }
  return map;
}
