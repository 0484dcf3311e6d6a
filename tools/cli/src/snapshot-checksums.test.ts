// `procmon snapshot --checksums` through the built binary: checksums.json is the member right
// after manifest.json, and its digests of a copy of /bin/sleep the test started are those
// sha256sum and md5sum give; read back with the system's tar, as anyone without procmon would.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, tempFolder, trackChild } from '../../../test-support/processes.js';
import { procmon } from '../test/binary.js';

afterAll(cleanup);

let folder: string;
let program: string;
let pid: number;

beforeAll(() => {
  folder = tempFolder('procmon-snapshot-checksums-');
  program = join(folder, 'my-sleep');
  copyFileSync('/bin/sleep', program);
  pid = trackChild(spawn(program, ['1000'], { stdio: 'ignore' })).pid as number;
});

const digest = (tool: string) => execFileSync(tool, [program], { encoding: 'utf8' }).split(' ')[0];
const tar = (...args: string[]) => spawnSync('tar', args, { encoding: 'utf8' });

describe('procmon snapshot --checksums', () => {
  it('writes checksums.json after the manifest, with the digests of the running binary', () => {
    const archive = join(folder, 'hashed.tar.gz');
    const run = procmon([
      'snapshot',
      '-o',
      archive,
      '-p',
      String(pid),
      '--checksums',
      'sha256,md5',
    ]);
    expect(run.stderr).toContain('written to');
    expect(run.status).toBe(0);
    expect(tar('-tzf', archive).stdout.split('\n').slice(0, 2)).toEqual([
      'manifest.json',
      'checksums.json',
    ]);
    const checksums = JSON.parse(tar('-xzOf', archive, 'checksums.json').stdout);
    expect(checksums).toEqual({
      algorithms: ['sha256', 'md5'],
      processes: [
        {
          pid,
          path: program,
          deleted: false,
          source: 'exe',
          checksums: { sha256: digest('sha256sum'), md5: digest('md5sum') },
        },
      ],
    });
  });

  it('hashes with sha256 when no algorithm is named', () => {
    const archive = join(folder, 'default.tar.gz');
    expect(procmon(['snapshot', '-o', archive, '-p', String(pid), '--checksums']).status).toBe(0);
    const checksums = JSON.parse(tar('-xzOf', archive, 'checksums.json').stdout);
    expect(checksums.algorithms).toEqual(['sha256']);
    expect(checksums.processes[0].checksums).toEqual({ sha256: digest('sha256sum') });
  });

  it('writes no checksums.json without --checksums', () => {
    const archive = join(folder, 'plain.tar.gz');
    expect(procmon(['snapshot', '-o', archive, '-p', String(pid)]).status).toBe(0);
    expect(tar('-tzf', archive).stdout.split('\n')).not.toContain('checksums.json');
  });

  it('refuses an unknown algorithm, writing nothing', () => {
    const archive = join(folder, 'refused.tar.gz');
    const run = procmon(['snapshot', '-o', archive, '-p', String(pid), '--checksums', 'sha257']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^procmon: unknown hash algorithm "sha257"/);
    expect(tar('-tzf', archive).status).not.toBe(0);
  });
});
