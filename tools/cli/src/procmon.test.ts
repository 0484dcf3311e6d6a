// Runs the built `procmon` binary against processes this test starts, and checks what it
// prints against the arguments, environment and working directory the test gave them.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstLine, HUNG_CHILD_LIMIT } from '../../../test-support/processes.js';

const binary = new URL('../dist/procmon.js', import.meta.url).pathname;

function procmon(...args: string[]) {
  return spawnSync(process.execPath, [binary, ...args], {
    encoding: 'utf8',
    ...HUNG_CHILD_LIMIT,
    env: { ...process.env, NO_COLOR: '1' },
  });
}

describe('procmon inspect', () => {
  let child: ChildProcess;
  let workdir: string;
  // A Node child that idles: it accepts any arguments after the script and keeps them in its
  // cmdline exactly.
  const script = "process.stdout.write('ready\\n'); setTimeout(() => {}, 60_000)";
  const args = ['1000', '', 'two words', 'naïve'];
  const nodePath = realpathSync(process.execPath);

  beforeAll(async () => {
    workdir = realpathSync(mkdtempSync(join(tmpdir(), 'procmon cli ')));
    child = spawn(process.execPath, ['-e', script, ...args], {
      cwd: workdir,
      env: { PROCMON_TEST: 'a=b', ['__proto__']: 'x', EMPTY: '' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    // Until it says ready, the child may still be a fork of this process that has not exec'd.
    await firstLine(child);
  });

  afterAll(() => {
    child.kill();
    rmSync(workdir, { recursive: true, force: true });
  });

  it('reports the identity, arguments, environment and cwd the test set', () => {
    const result = procmon('inspect', String(child.pid), '--json', '--env');
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.pid).toBe(child.pid);
    expect(report.comm).toBe('node');
    expect(report.ppid).toBe(process.pid);
    expect(report.path).toBe(nodePath);
    expect(report.realPath).toBe(`/proc/${child.pid}/root${nodePath}`);
    expect(report.deleted).toBe(false);
    expect(report.cwd).toBe(workdir);
    expect(report.args).toEqual([process.execPath, '-e', script, ...args]);
    expect(report.command).toBe([process.execPath, '-e', script, ...args].join(' '));
    // Every definition in file order: an object would hide a repeated name.
    expect(report.env).toEqual([
      ['PROCMON_TEST', 'a=b'],
      ['__proto__', 'x'],
      ['EMPTY', ''],
    ]);
    expect(report.pathSource).toBe('exe');
    expect(report.uid).toEqual({
      real: process.getuid?.(),
      effective: process.geteuid?.(),
      saved: process.geteuid?.(),
      filesystem: process.geteuid?.(),
    });
    expect(report.tree.slice(0, 2)).toEqual([
      { pid: child.pid, path: nodePath, pathSource: 'exe' },
      { pid: process.pid, path: nodePath, pathSource: 'exe' },
    ]);
    expect(report.tree.at(-1).pid).toBe(1);
    // The child's stdout is what this test reads: Node gives a child a socket pair for a pipe.
    expect(report.descriptors.find((d: { fd: number }) => d.fd === 1)).toMatchObject({
      fd: 1,
      type: 'socket',
    });
    expect(report.failures).toEqual([]);
  });

  it('prints a readable layout with the arguments quoted', () => {
    const result = procmon('inspect', String(child.pid));
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`^process ${child.pid}  node  [SR] \\((sleeping|running)\\)\n`),
    );
    // The backslash of the script's `\n` is shown doubled: a single one starts an escape.
    expect(result.stdout).toContain(
      `args       ${process.execPath} -e 'process.stdout.write('\\''ready\\\\n'\\''); setTimeout(() => {}, 60_000)' 1000 '' 'two words' 'naïve'`,
    );
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('inspects itself when no pid is given', () => {
    const result = procmon('--json');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.path).toBe(realpathSync(process.execPath));
    expect(report.args).toEqual([process.execPath, binary, '--json']);
  });

  it('says a process does not exist, with a non-zero exit', () => {
    const result = procmon('inspect', '999999999');
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('procmon: process 999999999 does not exist');
  });

  it.each(['-1', '../1', '1.5', 'abc', '0'])(
    'rejects %j as a pid before reading anything',
    (pid) => {
      const result = procmon('inspect', '--', pid);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain(`"${pid}" is not a process id`);
    },
  );
});
