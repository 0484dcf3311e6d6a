// Which backend a ProcFS made without one reads with, and why: the native one when its addon
// loads, node:fs when it does not (the reason says so), PROCMON_BACKEND forcing either. Checked
// through the built package (ESM and CJS) in fresh processes, since the choice reads the
// environment and the addon once per process; a copy of the package without build/ stands for
// a machine where the addon could not be built.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, tempFolder } from '../test/helpers.js';
import { procfsBackend } from './backend-choice.js';
import { ProcFS } from './procfs.js';

afterAll(cleanup);

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** A copy of the built package with no addon: dist, package.json, its node_modules. */
function packageWithoutAddon(): string {
  const folder = tempFolder('procfs-no-addon-');
  cpSync(join(packageRoot, 'dist'), join(folder, 'dist'), { recursive: true });
  cpSync(join(packageRoot, 'package.json'), join(folder, 'package.json'));
  symlinkSync(join(packageRoot, 'node_modules'), join(folder, 'node_modules'));
  return folder;
}

const scripts = {
  ESM: `import('./dist/index.js').then((m) => { const p = new m.ProcFS(); console.log(JSON.stringify({ ...m.procfsBackend(), used: p.backend.name, cmdline: Buffer.from(p.readFile(process.pid, 'cmdline')).toString() })) }).catch((e) => { console.log(JSON.stringify({ error: e.message })) })`,
  CJS: `try { const m = require('./dist/index.cjs'); const p = new m.ProcFS(); console.log(JSON.stringify({ ...m.procfsBackend(), used: p.backend.name, cmdline: Buffer.from(p.readFile(process.pid, 'cmdline')).toString() })) } catch (e) { console.log(JSON.stringify({ error: e.message })) }`,
};

/** What the built package in `folder` says, with PROCMON_BACKEND set to `forced` (or unset). */
function choiceIn(folder: string, format: keyof typeof scripts, forced?: string): unknown {
  const env = { ...process.env };
  delete env.PROCMON_BACKEND;
  if (forced !== undefined) env.PROCMON_BACKEND = forced;
  const output = execFileSync(process.execPath, ['-e', scripts[format]], {
    cwd: folder,
    env,
    encoding: 'utf8',
  });
  return JSON.parse(output);
}

const cmdlineOf = (format: keyof typeof scripts) => `${process.execPath}\0-e\0${scripts[format]}\0`;

describe('the backend of a ProcFS made without one', () => {
  it('is the one this test project forces, in this process', () => {
    const forced = process.env.PROCMON_BACKEND;
    expect(forced === 'node' || forced === 'native').toBe(true);
    expect(procfsBackend().name).toBe(forced);
    expect(procfsBackend().reason).toMatch(new RegExp(`^PROCMON_BACKEND=${forced}`));
    expect(new ProcFS().backend.name).toBe(forced);
  });

  describe.each(['ESM', 'CJS'] as const)('%s build', (format) => {
    const dist = join(packageRoot, 'dist', format === 'ESM' ? 'index.js' : 'index.cjs');

    it('is native when the addon is built, and reads with it', () => {
      expect(existsSync(dist), `${dist} is missing: run pnpm build first`).toBe(true);
      expect(choiceIn(packageRoot, format)).toEqual({
        name: 'native',
        reason: expect.stringMatching(
          /^native addon loaded from (build\/Release|prebuilds\/linux-x64)\//,
        ),
        used: 'native',
        cmdline: cmdlineOf(format),
      });
    });

    it('follows PROCMON_BACKEND=node and =native, and refuses another value', () => {
      expect(choiceIn(packageRoot, format, 'node')).toEqual({
        name: 'node',
        reason: 'PROCMON_BACKEND=node',
        used: 'node',
        cmdline: cmdlineOf(format),
      });
      expect(choiceIn(packageRoot, format, 'native')).toMatchObject({
        name: 'native',
        reason: expect.stringMatching(/^PROCMON_BACKEND=native; native addon loaded from /),
      });
      expect(choiceIn(packageRoot, format, 'fast')).toEqual({
        error: 'PROCMON_BACKEND must be node or native, not "fast"',
      });
    });

    it('is node:fs, saying why, when the addon is not there; PROCMON_BACKEND=native then throws why', () => {
      const folder = packageWithoutAddon();
      expect(choiceIn(folder, format)).toEqual({
        name: 'node',
        reason: expect.stringMatching(/^addon not built: .*; reading with node:fs$/),
        used: 'node',
        cmdline: cmdlineOf(format),
      });
      expect(choiceIn(folder, format, 'native')).toEqual({
        error: expect.stringMatching(
          /^PROCMON_BACKEND=native, but the native backend is unavailable: addon not built: /,
        ),
      });
    });
  });
});
