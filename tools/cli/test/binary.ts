// The built procmon binary, run as a user would run it: the one way the CLI tests start it.
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { HUNG_CHILD_LIMIT } from '../../../test-support/processes.js';

/** dist/procmon.js, built by `pnpm build` before the tests. */
export const binary = new URL('../dist/procmon.js', import.meta.url).pathname;

/**
 * `procmon ...args` under node, without colour, after `prefix` (a command that runs it, such as
 * `setpriv --reuid=65534 ...`); stdout and stderr as text. Limited to HUNG_CHILD_LIMIT.
 * `status` is null when it was killed by a signal: `signal` says which.
 */
export function procmon(
  args: readonly string[],
  prefix: readonly string[] = [],
): SpawnSyncReturns<string> {
  const [command, ...rest] = [...prefix, process.execPath, binary, ...args];
  return spawnSync(command as string, rest, {
    encoding: 'utf8',
    ...HUNG_CHILD_LIMIT,
    // spawnSync kills a child past 1 MiB of output by default: `procmon net --json` on a busy
    // machine (every unix socket of every process) writes more.
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1' },
  });
}
