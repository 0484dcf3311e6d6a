// Binaries a hostile user can name and place: a real file named `firefox (deleted)` beside a
// `firefox` (it must not pass for the deleted firefox), and a binary deeper than PATH_MAX (its
// path cannot be read, and must not be replaced by the name the process gives itself).
import { spawnSync } from 'node:child_process';
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepExecArgs } from '../../../test-support/deep-path.js';
import {
  cleanupAll,
  compileC,
  copyBinary,
  startHold,
  styles,
  tempFolder,
  twin,
} from '../test/helpers.js';
import { Process, type ProcessDetails, scanProcesses } from './index.js';

afterAll(cleanupAll);

const details = (style: 'sync' | 'async', process: Process): Promise<ProcessDetails> =>
  twin(
    style,
    () => process.details(),
    () => process.detailsAsync(),
  );

describe('a binary whose real name ends in " (deleted)"', () => {
  let twinPath: string;
  let pid: number;

  beforeAll(async () => {
    const folder = tempFolder();
    const hold = compileC('hold');
    copyBinary(hold, folder, 'firefox');
    twinPath = copyBinary(hold, folder, 'firefox (deleted)');
    ({ pid } = await startHold(twinPath, []));
  });

  describe.each(styles)('details (%s)', (style) => {
    it('is that name, not the deleted firefox', async () => {
      expect(await details(style, Process.open(pid))).toMatchObject({
        path: twinPath,
        realPath: `/proc/${pid}/root${twinPath}`,
        deleted: false,
        pathSource: 'exe',
        failures: [],
      });
    });
  });

  it('is that name in a scan and in the tree', () => {
    const scanned = scanProcesses({ fields: ['path'] }).find((entry) => entry.pid === pid);
    expect(scanned).toMatchObject({ path: twinPath, deleted: false, pathSource: 'exe' });
    expect(Process.open(pid).tree()[0]).toEqual({ pid, path: twinPath, pathSource: 'exe' });
  });

  it('is deleted once it is deleted, under its own name', async () => {
    const folder = tempFolder();
    const binary = copyBinary(compileC('hold'), folder, 'firefox (deleted)');
    const { pid: victim } = await startHold(binary, []);
    unlinkSync(binary);
    expect(Process.open(victim).details()).toMatchObject({
      path: binary,
      realPath: `/proc/${victim}/exe`,
      deleted: true,
      pathSource: 'exe',
    });
  });
});

describe('a binary deeper than PATH_MAX', () => {
  let pid: number;

  beforeAll(async () => {
    // The helper, under a comm that names another program.
    ({ pid } = await startHold('python3', deepExecArgs(tempFolder(), compileC('hold'))));
  });

  describe.each(styles)('details (%s)', (style) => {
    it('says the path is too long instead of giving the name the process chose', async () => {
      const result = await details(style, Process.open(pid));
      expect(result).toMatchObject({
        path: '',
        realPath: `/proc/${pid}/exe`,
        deleted: false,
        pathSource: 'none',
        comm: 'sshd',
        args: ['./sshd'],
      });
      // Its working directory is there too: the same failure.
      expect(result.failures.map((failure) => [failure.field, failure.reason])).toEqual([
        ['path', 'other'],
        ['cwd', 'other'],
      ]);
      for (const failure of result.failures) expect(failure.message).toContain('ENAMETOOLONG');
    });
  });

  it('has no path in a scan or in the tree either', () => {
    const scanned = scanProcesses({ fields: ['path', 'args'] }).find((entry) => entry.pid === pid);
    expect(scanned).toMatchObject({ path: '', pathSource: 'none', args: ['./sshd'] });
    expect(Process.open(pid).tree()[0]).toEqual({ pid, path: '', pathSource: 'none' });
  });

  it('is still reached through its exe link', () => {
    const realPath = Process.open(pid).path().realPath;
    expect(realPath).toBe(`/proc/${pid}/exe`);
    const probe = spawnSync('cmp', [realPath, join(compileC('hold'))]);
    expect(probe.status).toBe(0);
  });
});
