// `procmon snapshot` through the built binary, against a child started with known arguments,
// environment and cwd; the archive read back with the system's tar, as anyone without procmon
// would read it.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, firstLine, tempFolder, trackChild } from '../../../test-support/processes.js';
import { binary, procmon } from '../test/binary.js';

afterAll(cleanup);

// The shell itself waits (on a read of a pipe nobody writes): no child of its own is left
// behind, and no command is exec'd in its place.
const ARGS = ['-c', 'echo ready; read line; echo "$line"', 'snapshot-test', 'two words'];
let child: number;
let cwd: string;

beforeAll(async () => {
  cwd = tempFolder('procmon-snapshot-cwd-');
  const sh = trackChild(
    spawn('/bin/sh', ARGS, {
      cwd,
      env: { PLAIN: 'visible', API_TOKEN: 'hunter2', DB_URL: 'postgres://u:p@h/db' },
      stdio: ['pipe', 'pipe', 'ignore'],
    }),
  );
  await firstLine(sh);
  child = sh.pid as number;
});

/** A member of the archive, raw, as GNU tar extracts it. */
function member(archive: string, name: string): Buffer {
  const run = spawnSync('tar', ['-xzOf', archive, name], { maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`tar -xzOf ${name}: ${run.stderr}`);
  return run.stdout;
}

function members(archive: string): string[] {
  const run = spawnSync('tar', ['-tzf', archive], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`tar -tzf: ${run.stderr}`);
  return run.stdout.split('\n').filter(Boolean);
}

const environOf = (bytes: Buffer) => bytes.toString('latin1').split('\0').filter(Boolean);

describe('procmon snapshot', () => {
  it('writes the chosen process raw, its environment redacted, readable by tar alone', () => {
    const archive = join(tempFolder('procmon-snapshot-'), 'one.tar.gz');
    const run = procmon([
      'snapshot',
      '-o',
      archive,
      '-p',
      String(child),
      '--env',
      '--redact',
      'DB_*',
    ]);
    expect(run.stderr).toContain(`written to ${archive}`);
    expect(run.status).toBe(0);
    // Only its owner may read it: command lines and environments are in it.
    expect(statSync(archive).mode & 0o777).toBe(0o600);
    expect(members(archive)[0]).toBe('manifest.json');
    const manifest = JSON.parse(member(archive, 'manifest.json').toString('utf8'));
    expect(manifest.pids).toEqual([child]);
    expect(manifest.environ.captured).toBe(true);
    expect(manifest.environ.redacted).toContain('DB_*');
    // The bytes /proc gave: the arguments NUL-separated, as the child was started.
    expect(member(archive, `proc/${child}/cmdline`).toString('latin1')).toBe(
      `${['/bin/sh', ...ARGS].join('\0')}\0`,
    );
    expect(member(archive, `proc/${child}/stat`).toString('latin1')).toMatch(
      new RegExp(`^${child} \\(sh\\) `),
    );
    // A default pattern (*TOKEN*) and the one asked for (DB_*) hide their values; others stay.
    expect(environOf(member(archive, `proc/${child}/environ`)).sort()).toEqual([
      'API_TOKEN=<redacted>',
      'DB_URL=<redacted>',
      'PLAIN=visible',
    ]);
    // Links are links, to where the kernel says.
    const listing = spawnSync('tar', ['-tzvf', archive], { encoding: 'utf8' }).stdout;
    expect(listing).toMatch(new RegExp(`proc/${child}/cwd -> ${cwd}\\n`));
    expect(listing).toMatch(new RegExp(`proc/${child}/exe -> /(usr/)?bin/(dash|sh|bash)\\n`));
  });

  it("names the captured process's user and group as getent names them here", () => {
    const archive = join(tempFolder('procmon-snapshot-'), 'named.tar.gz');
    expect(procmon(['snapshot', '-o', archive, '-p', String(child)]).status).toBe(0);
    const manifest = JSON.parse(member(archive, 'manifest.json').toString('utf8'));
    const getent = (database: string, id: number) =>
      spawnSync('getent', [database, String(id)], { encoding: 'utf8' }).stdout.split(':')[0];
    const uid = process.getuid?.() as number;
    const gid = process.getgid?.() as number;
    expect(manifest.users[String(uid)]).toBe(getent('passwd', uid));
    expect(manifest.groups[String(gid)]).toBe(getent('group', gid));
    // And the captured files for inspect: smaps_rollup, limits, the namespace links.
    const names = members(archive);
    for (const name of ['smaps_rollup', 'limits', 'ns/net', 'ns/pid'])
      expect(names).toContain(`proc/${child}/${name}`);
  });

  it('captures no environment without --env, and writes to standard output with -o -', () => {
    const run = spawnSync(process.execPath, [binary, 'snapshot', '-o', '-', '-p', String(child)], {
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(run.status).toBe(0);
    const archive = join(tempFolder('procmon-snapshot-'), 'stdout.tar.gz');
    writeFileSync(archive, run.stdout);
    const names = members(archive);
    expect(names).toContain(`proc/${child}/cmdline`);
    expect(names).not.toContain(`proc/${child}/environ`);
    expect(JSON.parse(member(archive, 'manifest.json').toString('utf8')).environ.captured).toBe(
      false,
    );
  });

  it.each([
    [['snapshot'], "required option '-o, --output <file>' not specified"],
    [['snapshot', '-o', 'x', '--redact', 'A'], '--redact needs --env'],
    [['snapshot', '-o', 'x', '--env', '--redact', 'A=B'], '"A=B" is not a variable name pattern'],
    [['snapshot', '-o', 'x', '-p', '-1'], 'is not a process id'],
  ])('%j is a usage error: %s', (args, message) => {
    const run = procmon(args);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('leaves no file behind when it cannot write (a folder that does not exist)', () => {
    const folder = tempFolder('procmon-snapshot-');
    const run = procmon([
      'snapshot',
      '-o',
      join(folder, 'missing', 'x.tar.gz'),
      '-p',
      String(child),
    ]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('no such file or directory');
    expect(readdirSync(folder)).toEqual([]);
  });
});
