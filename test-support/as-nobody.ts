// Running a script as the unprivileged user 65534 (nobody), as the permission tests of every
// package do: setpriv drops uid, gid and supplementary groups, and the script prints JSON.
import { execFileSync, spawnSync } from 'node:child_process';

/** setpriv's arguments that become uid and gid 65534, with no supplementary groups. */
export const AS_NOBODY: readonly string[] = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/** Whether this process may become nobody: root, with setpriv installed. */
export const canRunAsNobody: boolean =
  process.getuid?.() === 0 && spawnSync('setpriv', [...AS_NOBODY, 'true']).status === 0;

/**
 * `node script ...args` as uid 65534, with an empty environment (nothing of root's leaks into
 * it); its standard output parsed as JSON. Throws with the script's stderr when it fails.
 */
export function runAsNobody(script: string, args: readonly string[] = []): unknown {
  const output = execFileSync('setpriv', [...AS_NOBODY, process.execPath, script, ...args], {
    env: {},
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(output);
}
