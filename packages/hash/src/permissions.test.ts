// Permission denied, for real: test/unprivileged-dump.mjs runs as uid/gid 65534 (setpriv) and
// calls dumpImage and processChecksum, through the built dist, on this root-owned test process.
// It must get PermissionDeniedError, not an empty image or a checksum of nothing. Needs root to
// switch users; as another user it is skipped, unless CI is set: then it must run (and fails
// without root).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const script = fileURLToPath(new URL('../test/unprivileged-dump.mjs', import.meta.url));
const setpriv = ['--reuid=65534', '--regid=65534', '--clear-groups'];

const isRoot = process.getuid?.() === 0;
const canSwitch = isRoot && spawnSync('setpriv', [...setpriv, 'true']).status === 0;
const inCI = Boolean(process.env.CI);
const title = canSwitch
  ? 'as uid 65534, on a root process'
  : `as uid 65534, on a root process (${inCI ? 'CI is set: runs anyway' : 'skipped: needs root with setpriv to switch to uid 65534; set CI=1 to force'})`;

interface Attempt {
  ok: boolean;
  regions?: number;
  length?: number;
  source?: string;
  checksums?: Record<string, string>;
  error?: {
    name: string;
    code: string;
    pid: number;
    isPermissionDenied: boolean;
    isProcessGone: boolean;
    isHashError: boolean;
  };
}

describe.skipIf(!canSwitch && !inCI)(title, () => {
  const target = process.pid;
  const binary = realpathSync(process.execPath);
  let result: Record<string, Attempt> & { uid?: unknown; gid?: unknown } = {};

  it('runs the unprivileged script against the built dist', () => {
    expect(existsSync(dist), `${dist} is missing: run pnpm build first`).toBe(true);
    const output = execFileSync(
      'setpriv',
      [...setpriv, process.execPath, script, dist, String(target), binary],
      { env: {}, encoding: 'utf8' },
    );
    result = JSON.parse(output);
    expect([result.uid, result.gid]).toEqual([65534, 65534]);
  });

  const denied = {
    ok: false,
    error: {
      name: 'PermissionDeniedError',
      code: 'EACCES',
      pid: target,
      isPermissionDenied: true,
      isProcessGone: false,
      isHashError: false,
    },
  };

  it('dumpImage of a root process is PermissionDeniedError (EACCES), sync and async', () => {
    expect(result.dump).toEqual(denied);
    expect(result.dumpAsync).toEqual(denied);
  });

  it('processChecksum of a root process is PermissionDeniedError, sync and async', () => {
    for (const attempt of [result.checksum, result.checksumAsync]) {
      expect(attempt?.ok).toBe(false);
      expect(attempt?.error).toMatchObject({
        name: 'PermissionDeniedError',
        isPermissionDenied: true,
        pid: target,
      });
    }
  });

  it('still dumps its own image (the control: the script and the dist work as 65534)', () => {
    expect(result.ownDump?.ok).toBe(true);
    expect(result.ownDump?.regions).toBeGreaterThan(0);
    expect(result.ownDump?.length).toBeGreaterThan(0);
  });
});
