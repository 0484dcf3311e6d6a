// Link targets near and past PATH_MAX (4096): the kernel builds /proc link targets in a
// PATH_MAX buffer, so a longer path is ENAMETOOLONG from readlink itself. It must come back as a
// ProcfsError naming that code, never as a truncated path.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { firstLine } from '../../../test-support/processes.js';
import { ProcessGoneError, ProcfsError } from './errors.js';
import { ProcFS } from './procfs.js';

const procfs = new ProcFS();
const children: ChildProcess[] = [];
const folders: string[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  // rm walks the tree relative to each folder, so depth past PATH_MAX is no problem for it.
  for (const folder of folders.splice(0)) spawnSync('rm', ['-rf', folder]);
});

/**
 * A folder whose absolute path is exactly `length` bytes long, made one component at a time
 * from inside its parent: mkdir and chdir refuse absolute paths past PATH_MAX.
 */
function folderOfLength(length: number): string {
  const base = mkdtempSync(join(tmpdir(), 'procfs-long-'));
  folders.push(base);
  const names: string[] = [];
  let size = base.length;
  while (size < length) {
    const room = length - size - 1;
    const name = 'd'.repeat(room <= 200 ? room : Math.min(200, room - 2));
    names.push(name);
    size += name.length + 1;
  }
  // chdir with relative names: the kernel resolves each from the current folder.
  const script =
    "const fs = require('node:fs'); for (const d of process.argv.slice(1)) { fs.mkdirSync(d); process.chdir(d); }";
  const made = spawnSync(process.execPath, ['-e', script, ...names], {
    cwd: base,
    encoding: 'utf8',
  });
  expect(made.status, made.stderr).toBe(0);
  const path = [base, ...names].join('/');
  expect(path.length).toBe(length);
  return path;
}

/** A child whose cwd is `folder`, entered one component at a time. */
async function childIn(folder: string): Promise<number> {
  const steps = folder.split('/').filter(Boolean);
  const script =
    "process.chdir('/'); for (const d of process.argv.slice(1)) process.chdir(d); process.stdout.write('ready\\n'); setTimeout(() => {}, 60_000);";
  const child = spawn(process.execPath, ['-e', script, ...steps], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await firstLine(child);
  return child.pid as number;
}

describe('link targets near PATH_MAX', () => {
  it('reads a 4,000-byte cwd whole, sync and async', async () => {
    const folder = folderOfLength(4000);
    const pid = await childIn(folder);
    expect(new TextDecoder().decode(procfs.readLink(pid, 'cwd'))).toBe(folder);
    expect(new TextDecoder().decode(await procfs.promises.readLink(pid, 'cwd'))).toBe(folder);
  });

  it('reports a cwd past PATH_MAX as ENAMETOOLONG, not a truncated path', async () => {
    const folder = folderOfLength(4200);
    const pid = await childIn(folder);
    for (const read of [
      () => procfs.readLink(pid, 'cwd'),
      () => procfs.promises.readLink(pid, 'cwd'),
    ]) {
      const error = await Promise.resolve()
        .then(read)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(ProcfsError);
      expect(error).not.toBeInstanceOf(ProcessGoneError);
      expect((error as ProcfsError).code).toBe('ENAMETOOLONG');
      expect((error as ProcfsError).pid).toBe(pid);
      expect((error as ProcfsError).path).toBe(`/proc/${pid}/cwd`);
    }
  });
});
