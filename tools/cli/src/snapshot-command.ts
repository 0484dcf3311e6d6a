// `procmon snapshot -o FILE`: every process's /proc files (or those of -p), raw, in a .tar.gz
// that mirrors /proc (@procmon/snapshot's format), written to FILE or standard output. The
// archive is written beside FILE under a temporary name and renamed into place, so FILE is never
// a half-written archive.
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { escapeText } from '@procmon/parse';
import { captureSnapshot, DEFAULT_REDACT } from '@procmon/snapshot';
import { writeErr, writeOut } from './output.js';
import { UsageError } from './usage-error.js';
import { groupNames, userNames } from './users.js';

export interface SnapshotArguments {
  output: string;
  pid?: number[];
  env?: boolean;
  /** Name globs redacted besides DEFAULT_REDACT. */
  redact?: string[];
  /** `--checksums` alone (true: sha256) or with algorithms. */
  checksums?: string[] | true;
}

/** The algorithms `--checksums` asks for: sha256 when it names none. */
const DEFAULT_CHECKSUMS = ['sha256'];

export async function snapshot(args: SnapshotArguments): Promise<void> {
  if (args.redact !== undefined && args.env !== true)
    throw new UsageError('--redact needs --env: environments are not captured without it');
  const bytes = await captureSnapshot({
    pids: args.pid,
    env: args.env === true,
    redact: [...DEFAULT_REDACT, ...(args.redact ?? [])],
    // This machine's names for the ids seen, as ps shows them (getent): `--from` shows them
    // elsewhere, where these ids may name other users or none.
    names: ({ uids, gids }) => ({ users: userNames(uids), groups: groupNames(gids) }),
    checksums: args.checksums === true ? DEFAULT_CHECKSUMS : args.checksums,
  });
  if (args.output === '-') {
    await writeOut(bytes);
    return;
  }
  const partial = join(dirname(args.output), `.${basename(args.output)}.${process.pid}.partial`);
  try {
    await writeFile(partial, bytes, { flag: 'wx', mode: 0o600 });
    await rename(partial, args.output);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  await writeErr(
    `procmon: snapshot of ${bytes.length} bytes written to ${escapeText(args.output)}\n`,
  );
}
