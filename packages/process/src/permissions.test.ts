// Permission denied, for real: test/unprivileged.mjs runs as uid/gid 65534 (setpriv) and reads a
// root-owned child of this test through the built dist. Needs root to switch users; skipped
// otherwise, unless CI is set: then it must run (and fails without root).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAll, compileC, startHold } from '../test/helpers.js';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const script = fileURLToPath(new URL('../test/unprivileged.mjs', import.meta.url));
const setpriv = ['--reuid=65534', '--regid=65534', '--clear-groups'];
const canSwitch =
  process.getuid?.() === 0 && spawnSync('setpriv', [...setpriv, 'true']).status === 0;
const inCI = Boolean(process.env.CI);

afterAll(cleanupAll);

interface Attempt {
  ok: boolean;
  value?: unknown;
  error?: { name: string; code: string; pid: number; path: string };
}

describe.skipIf(!canSwitch && !inCI)('as uid 65534, reading a root child', () => {
  let pid: number;
  let hold: string;
  let result: Record<string, Attempt> & { uid?: number } = {};

  beforeAll(async () => {
    expect(existsSync(dist), `${dist} is missing: run pnpm build first`).toBe(true);
    hold = compileC('hold');
    ({ pid } = await startHold(hold, ['root-owned'], { env: { SECRET: 'x' } }));
    const output = execFileSync(
      'setpriv',
      [...setpriv, process.execPath, script, dist, String(pid)],
      {
        env: {},
        encoding: 'utf8',
      },
    );
    result = JSON.parse(output);
  });

  const denied = (name: string) => ({
    ok: false,
    error: { name: 'PermissionDeniedError', code: 'EACCES', pid, path: `/proc/${pid}/${name}` },
  });

  it('runs as 65534', () => {
    expect(result.uid).toBe(65534);
  });

  it('readEnviron and readEnvironAsync throw PermissionDeniedError', () => {
    expect(result.environ).toEqual(denied('environ'));
    expect(result.environAsync).toEqual(denied('environ'));
  });

  it('readExe throws PermissionDeniedError; readCmdline (world-readable) works', () => {
    expect(result.exe).toEqual(denied('exe'));
    expect(result.cmdline).toEqual({ ok: true, value: [hold, 'root-owned'] });
  });

  it('extraInfo reports environ and stack as permission failures, and reads stat', () => {
    expect(result.extraInfo).toEqual({
      ok: true,
      value: {
        statPid: pid,
        failures: [
          { field: 'environ', reason: 'permission', name: 'PermissionDeniedError' },
          { field: 'stack', reason: 'permission', name: 'PermissionDeniedError' },
        ],
      },
    });
  });

  it('details fall back to comm for the path with a permission failure, arguments still read', () => {
    expect(result.details?.ok).toBe(true);
    const value = result.details?.value as {
      path: string;
      pathSource: string;
      args: string[];
      failures: { field: string; reason: string }[];
    };
    expect(value).toMatchObject({ path: 'hold', pathSource: 'comm', args: [hold, 'root-owned'] });
    expect(value.failures.map(({ field, reason }) => ({ field, reason }))).toEqual(
      [
        { field: 'path', reason: 'permission', name: 'PermissionDeniedError' },
        { field: 'cwd', reason: 'permission', name: 'PermissionDeniedError' },
        { field: 'environ', reason: 'permission', name: 'PermissionDeniedError' },
      ].map(({ field, reason }) => ({ field, reason })),
    );
  });
});
