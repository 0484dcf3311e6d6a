// scripts/build-addon.mjs on a source that does not compile: it exits 0 (never fails an install)
// and its one line names what went wrong (the compiler's error), not node-gyp's last words.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { cleanup, tempFolder } from '../../../test-support/processes.js';
import { ADDON_PATH } from './addon.js';

const root = fileURLToPath(new URL('..', import.meta.url));
afterAll(cleanup);

// Where the addon builds here, a broken copy fails in the compiler, not earlier.
describe.skipIf(!existsSync(ADDON_PATH))('a failed addon build', () => {
  test('reports the compiler error line and exits 0', () => {
    const folder = tempFolder('netsock-build-');
    mkdirSync(join(folder, 'scripts'));
    // Every source as it is, but netsock.c broken.
    cpSync(join(root, 'native'), join(folder, 'native'), { recursive: true });
    copyFileSync(join(root, 'scripts/build-addon.mjs'), join(folder, 'scripts/build-addon.mjs'));
    copyFileSync(join(root, 'binding.gyp'), join(folder, 'binding.gyp'));
    // The builder is @procmon/procfs's, found through the dependency as an install finds it.
    mkdirSync(join(folder, 'node_modules', '@procmon'), { recursive: true });
    symlinkSync(join(root, '..', 'procfs'), join(folder, 'node_modules', '@procmon', 'procfs'));
    writeFileSync(
      join(folder, 'native/netsock.c'),
      '#include <node_api.h>\nint broken(void) { return undeclared_name; }\n',
    );
    const run = spawnSync(process.execPath, ['scripts/build-addon.mjs'], {
      cwd: folder,
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    const line = run.stdout.trim();
    expect(line).toMatch(/^@procmon\/netsock: addon not built \(.*\); using \/proc\/net$/);
    expect(line).toContain('netsock.c');
    expect(line).toContain('undeclared_name');
    expect(line).toMatch(/error/);
    expect(line).not.toContain('gyp ERR!');
  }, 60_000);
});
