// User and group names for ids, through the system's databases as ps shows them: `getent passwd`
// and `getent group` ask NSS, so LDAP and sssd users and groups resolve too; one spawn answers
// every id of a scan. Without getent (a minimal image), /etc/passwd and /etc/group. An id with no
// name anywhere shows as its number.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { UsageError } from './usage-error.js';

/** The command that answers `<command...> passwd <uid>...` with passwd lines; getent by default. */
export type UserLookupCommand = readonly string[];

export const GETENT: UserLookupCommand = ['getent'];

/** The two databases: `name:password:id:...` lines, from getent or the file. */
type Database = 'passwd' | 'group';
const FILES: Record<Database, string> = { passwd: '/etc/passwd', group: '/etc/group' };
const known: Record<Database, Map<number, string | undefined>> = {
  passwd: new Map(),
  group: new Map(),
};

/**
 * The names of `uids`, looked up in one run of `command passwd uid...` (uids already known are
 * not asked again). A uid without a name has no entry in the map.
 */
export function userNames(
  uids: Iterable<number>,
  command: UserLookupCommand = GETENT,
): Map<number, string> {
  return namesOf('passwd', uids, command);
}

/** The names of `gids`, as userNames finds users' (`command group gid...`, else /etc/group). */
export function groupNames(
  gids: Iterable<number>,
  command: UserLookupCommand = GETENT,
): Map<number, string> {
  return namesOf('group', gids, command);
}

function namesOf(
  database: Database,
  ids: Iterable<number>,
  command: UserLookupCommand,
): Map<number, string> {
  const cache = known[database];
  const wanted = [...new Set(ids)].filter((id) => !cache.has(id));
  if (wanted.length > 0) {
    const answered = idNames(lookUp(database, wanted, command) ?? readDatabase(database));
    for (const id of wanted) cache.set(id, answered.get(id));
  }
  const names = new Map<number, string>();
  for (const id of ids) {
    const name = cache.get(id);
    if (name !== undefined) names.set(id, name);
  }
  return names;
}

/** The name of one uid (see userNames). */
export function userName(uid: number, command: UserLookupCommand = GETENT): string | undefined {
  return userNames([uid], command).get(uid);
}

/** The name of one gid (see groupNames). */
export function groupName(gid: number, command: UserLookupCommand = GETENT): string | undefined {
  return groupNames([gid], command).get(gid);
}

/**
 * The uid of a user name, through the same database (`command passwd name`), else /etc/passwd;
 * undefined when no user has that name.
 */
export function uidOfName(name: string, command: UserLookupCommand = GETENT): number | undefined {
  for (const line of (lookUp('passwd', [name], command) ?? readDatabase('passwd')).split('\n')) {
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

/** Forgets the names looked up so far (tests look the same id up through several commands). */
export function forgetUserNames(): void {
  known.passwd.clear();
  known.group.clear();
}

/**
 * Runs the lookup, giving its passwd lines: undefined when it could not run (no getent). getent exits 2 when some key
 * has no entry and still prints the others, so its status is not a failure.
 */
function lookUp(
  database: Database,
  keys: readonly (number | string)[],
  command: UserLookupCommand,
): string | undefined {
  const [program, ...rest] = command;
  if (program === undefined) return undefined;
  const run = spawnSync(program, [...rest, database, ...keys.map(String)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.error || run.status === null || run.status === 1 || run.status === 3) return undefined;
  return run.stdout;
}

function readDatabase(database: Database): string {
  try {
    return readFileSync(FILES[database], 'utf8');
  } catch {
    return '';
  }
}

/**
 * id → name from passwd or group lines (`name:x:id:...`); the first line for an id wins, as NSS.
 */
export function idNames(text: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid !== undefined && /^\d+$/.test(uid) && !map.has(Number(uid)))
      map.set(Number(uid), name);
  }
  return map;
}
