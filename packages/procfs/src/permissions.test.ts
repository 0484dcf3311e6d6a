// Permission denied, for real: test/unprivileged-read.mjs runs as uid/gid 65534 (setpriv) and
// reads this root-owned test process through the built dist. Needs root to switch users; as
// another user it is skipped, unless CI is set: then it must run (and fails without root).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const script = fileURLToPath(new URL('../test/unprivileged-read.mjs', import.meta.url));
const setpriv = ['--reuid=65534', '--regid=65534', '--clear-groups'];

const isRoot = process.getuid?.() === 0;
const canSwitch = isRoot && spawnSync('setpriv', [...setpriv, 'true']).status === 0;
const inCI = Boolean(process.env.CI);
const title = canSwitch
  ? 'as uid 65534, reading a root process'
  : `as uid 65534, reading a root process (${inCI ? 'CI is set: runs anyway' : 'skipped: needs root with setpriv to switch to uid 65534; set CI=1 to force'})`;

interface Attempt {
  ok: boolean;
  hex?: string;
  length?: number;
  error?: {
    name: string;
    code: string;
    pid: number;
    path: string;
    isProcfsError: boolean;
    isPermissionDenied: boolean;
    isProcessGone: boolean;
  };
}

describe.skipIf(!canSwitch && !inCI)(title, () => {
  const target = process.pid;
  let result: Record<string, Attempt> & { uid?: unknown; gid?: unknown } = {};

  it('runs the unprivileged script against the built dist', () => {
    expect(existsSync(dist), `${dist} is missing: run pnpm build first`).toBe(true);
    const output = execFileSync(
      'setpriv',
      [
        ...setpriv,
        process.execPath,
        script,
        dist,
        String(target),
        ...(process.env.PROCMON_BACKEND ? [process.env.PROCMON_BACKEND] : []),
      ],
      {
        env: {},
        encoding: 'utf8',
      },
    );
    result = JSON.parse(output);
    expect([result.uid, result.gid]).toEqual([65534, 65534]);
    // The test project's backend (PROCMON_BACKEND) is the one the script read with.
    const wanted = process.env.PROCMON_BACKEND;
    if (wanted) expect(result.backend).toBe(wanted);
  });

  it('gets the same EACCES errors, field by field, from the native backend as from node:fs', () => {
    const raw = (result.rawErrors ?? {}) as unknown as Record<
      'node' | 'native',
      { sync: { code?: string }[] } | undefined
    >;
    expect(raw.native, 'the native backend did not load in the script').toBeDefined();
    expect(raw.native).toEqual(raw.node);
    const sync = raw.node?.sync ?? [];
    expect(sync.map((facts) => facts.code)).toEqual([
      'EACCES',
      'EACCES',
      'EACCES',
      'EACCES',
      'EACCES',
    ]);
  });

  const denied = (path: string) => ({
    ok: false,
    error: {
      name: 'PermissionDeniedError',
      code: 'EACCES',
      pid: target,
      path,
      isProcfsError: true,
      isPermissionDenied: true,
      isProcessGone: false,
    },
  });

  it("gets PermissionDeniedError (EACCES) for root's environ, sync and async", () => {
    expect(result.environ).toEqual(denied(`/proc/${target}/environ`));
    expect(result.environAsync).toEqual(denied(`/proc/${target}/environ`));
  });

  it('gets PermissionDeniedError (EACCES) for listFds of a root process, sync and async', () => {
    expect(result.listFds).toEqual(denied(`/proc/${target}/fd`));
    expect(result.listFdsAsync).toEqual(denied(`/proc/${target}/fd`));
  });

  it("gets PermissionDeniedError (EACCES) for root's exe link, sync and async", () => {
    expect(result.exe).toEqual(denied(`/proc/${target}/exe`));
    expect(result.exeAsync).toEqual(denied(`/proc/${target}/exe`));
  });

  it('still reads what an unprivileged user may: the cmdline, and its own environ', () => {
    const cmdline = readFileSync(`/proc/${target}/cmdline`).toString('hex');
    expect(result.cmdline).toEqual({ ok: true, hex: cmdline });
    // The script ran with an empty environment.
    expect(result.ownEnviron).toEqual({ ok: true, length: 0 });
  });
});
