// `procmon hash` run as a built binary, checked against the coreutils tools' checksums.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUNG_CHILD_LIMIT } from '../../../test-support/processes.js';

const binary = new URL('../dist/procmon.js', import.meta.url).pathname;
const folder = mkdtempSync(join(tmpdir(), 'procmon-hash-'));
const sum = (tool: string, path: string) =>
  (execFileSync(tool, [path], { encoding: 'utf8' }).split(' ')[0] as string).trim();

function procmon(...args: string[]) {
  return procmonIn(process.cwd(), ...args);
}

function procmonIn(cwd: string, ...args: string[]) {
  return spawnSync(process.execPath, [binary, ...args], {
    cwd,
    encoding: 'utf8',
    ...HUNG_CHILD_LIMIT,
    env: { ...process.env, NO_COLOR: '1' },
  });
}

describe('procmon hash', () => {
  let child: ChildProcess;
  const sleepCopy = join(folder, 'sleep copy');

  beforeAll(async () => {
    copyFileSync(realpathSync('/bin/sleep'), sleepCopy);
    child = spawn(sleepCopy, ['60'], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('spawn', resolve));
  });

  afterAll(() => {
    child.kill();
    rmSync(folder, { recursive: true, force: true });
  });

  it('hashes a file with the algorithms asked for, as md5sum and sha256sum do', () => {
    const file = join(folder, 'data');
    writeFileSync(file, 'procmon\n'.repeat(1000));
    const result = procmon('hash', file, '--algo', 'md5,sha256', '--json');
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      path: file,
      checksums: { md5: sum('md5sum', file), sha256: sum('sha256sum', file) },
    });
  });

  it('hashes the binary a process runs, from its exe link', () => {
    // Until exec completes the pid still runs this test's node: wait for the copy's comm.
    for (let i = 0; i < 1000; i++) {
      if (readFileSync(`/proc/${child.pid}/comm`, 'utf8') === 'sleep copy\n') break;
    }
    const result = procmon('hash', String(child.pid), '--json');
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      pid: child.pid,
      path: sleepCopy,
      source: 'exe',
      deleted: false,
      checksums: {
        md5: sum('md5sum', sleepCopy),
        sha1: sum('sha1sum', sleepCopy),
        sha256: sum('sha256sum', sleepCopy),
      },
    });
    const readable = procmon('hash', String(child.pid), '--algo', 'sha256');
    expect(readable.stdout).toContain(`process ${child.pid}  ${sleepCopy}  from exe`);
    expect(readable.stdout).toContain(`sha256  ${sum('sha256sum', sleepCopy)}`);
  });

  it('shows the checksum in inspect, with its source', () => {
    const result = procmon('inspect', String(child.pid), '--json', '--algo', 'sha1');
    const report = JSON.parse(result.stdout);
    expect(report.checksums).toEqual({ sha1: sum('sha1sum', sleepCopy) });
    expect(report.checksumSource).toBe('exe');
  });

  it.each([
    [['hash', '/no/such/file'], 'procmon: cannot hash /no/such/file: ENOENT'],
    [['hash', '/bin/ls', '--algo', 'sha257'], 'procmon: unknown hash algorithm "sha257"'],
    [['hash', '999999999'], 'procmon: process 999999999 does not exist'],
  ])('fails with one clear line and status 1: %j', (args, message) => {
    const result = procmon(...args);
    expect(result.status).toBe(1);
    expect(result.stderr.startsWith(message)).toBe(true);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.each([
    ['99999999999', 'larger than 2147483647, the largest pid'],
    ['2147483648', 'larger than 2147483647, the largest pid'],
    ['0123', 'a leading zero'],
    ['0', 'pids start at 1'],
  ])(
    'refuses %s as a pid, not taking it for a file, and says how to name such a file',
    (value, why) => {
      const result = procmonIn(folder, 'hash', value);
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(
        `"${value}" cannot be a process id (${why}); to hash a file of that name, write ./${value}`,
      );
    },
  );

  it('hashes a file whose name is digits when it is written as a path', () => {
    writeFileSync(join(folder, '99999999999'), 'digits\n');
    const result = procmonIn(folder, 'hash', './99999999999', '--algo', 'sha256', '--json');
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      path: './99999999999',
      checksums: { sha256: sum('sha256sum', join(folder, '99999999999')) },
    });
  });

  it.each([
    ['hash', '/bin/ls', '--algo', ''],
    ['hash', '/bin/ls', '--algo', ' , '],
    ['inspect', 'self', '--algo', ','],
    ['inspect', 'self', '--algo', 'md5,,sha1'],
  ])('refuses an empty algorithm list or name as a usage error: %s %s %s %j', (...args) => {
    const result = procmon(...args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^error: option '--algo <list>' argument '.*' is invalid\. (no algorithm named|an empty algorithm name)/,
    );
  });
});
