// Binaries a hostile user names and places, through the built binary: one deeper than PATH_MAX
// running under a comm that names another program (the display must say the path is too long,
// never show the comm as if it were the binary), and a real file named `sshd (deleted)` (shown
// as that name, not as the deleted sshd).
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepExecArgs } from '../../../test-support/deep-path.js';
import {
  cleanup,
  HUNG_CHILD_LIMIT,
  tempFolder,
  trackChild,
} from '../../../test-support/processes.js';

const binary = new URL('../dist/procmon.js', import.meta.url).pathname;
function procmon(args: string[]) {
  return spawnSync(process.execPath, [binary, ...args], {
    encoding: 'utf8',
    ...HUNG_CHILD_LIMIT,
    env: { ...process.env, NO_COLOR: '1' },
  });
}

/** Waits until `pid` runs a binary whose exe link readlink gives (or fails on) as `done` says. */
async function started(pid: number, done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!done()) throw new Error(`process ${pid} did not start its binary`);
}

afterAll(cleanup);

describe('a binary deeper than PATH_MAX named sshd', () => {
  let pid: number;

  beforeAll(async () => {
    const args = deepExecArgs(tempFolder('procmon-deep-'), '/bin/sleep', ['600']);
    const child = trackChild(spawn('python3', args, { stdio: 'ignore' }));
    pid = child.pid as number;
    await started(pid, () => {
      const probe = spawnSync('cat', [`/proc/${pid}/comm`], { encoding: 'utf8' });
      return probe.stdout.trim() === 'sshd';
    });
  });

  it('inspect and tree say the path is too long, and never show [sshd] as the binary', () => {
    for (const command of ['inspect', 'tree']) {
      const options = command === 'inspect' ? ['--no-checksums'] : [];
      const result = procmon([command, String(pid), ...options]);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain('[path too long to read]');
      expect(result.stdout).not.toContain('[sshd]');
    }
    const json = JSON.parse(procmon(['inspect', String(pid), '--json', '--no-checksums']).stdout);
    expect(json).toMatchObject({ path: '', pathSource: 'none', comm: 'sshd' });
  });

  it('hash still gives the checksum of the running binary', () => {
    const result = procmon(['hash', String(pid), '--algo', 'sha256', '--json']);
    expect(result.status, result.stderr).toBe(0);
    const truth = spawnSync('sha256sum', ['/bin/sleep'], { encoding: 'utf8' }).stdout.split(' ')[0];
    expect(JSON.parse(result.stdout).checksums.sha256).toBe(truth);
  });
});

describe('a real file named "sshd (deleted)"', () => {
  it('is shown under its own name, not as a deleted sshd', async () => {
    const folder = tempFolder('procmon-twin-');
    const twin = join(folder, 'sshd (deleted)');
    copyFileSync('/bin/sleep', twin);
    copyFileSync('/bin/sleep', join(folder, 'sshd'));
    const child = trackChild(spawn(twin, ['600'], { stdio: 'ignore' }));
    const pid = child.pid as number;
    await started(pid, () => {
      const probe = spawnSync('readlink', [`/proc/${pid}/exe`], { encoding: 'utf8' });
      return probe.stdout.trim() === twin;
    });
    const json = JSON.parse(procmon(['inspect', String(pid), '--json', '--no-checksums']).stdout);
    expect(json).toMatchObject({ path: twin, deleted: false, pathSource: 'exe' });
    const text = procmon(['inspect', String(pid), '--no-checksums']).stdout;
    expect(text).toContain(twin);
    expect(text).not.toMatch(/sshd \(deleted\) \(deleted\)/);
  });
});
