// The built package finds its addon (build/Release/netsock.node, outside dist so tsup's clean
// keeps it) from both the ESM and the CJS build.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ADDON_PATH } from './addon.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = existsSync(ADDON_PATH);

describe('the built package', () => {
  test.each([
    [
      'ESM',
      `import('./dist/index.js').then((m) => console.log(JSON.stringify(m.netsockBackend())))`,
    ],
    ['CJS', `console.log(JSON.stringify(require('./dist/index.cjs').netsockBackend()))`],
  ])('%s build: says which backend and why', (_, code) => {
    const out = JSON.parse(
      execFileSync(process.execPath, ['-e', code], { cwd: root, encoding: 'utf8' }),
    );
    if (built)
      expect(out).toEqual({ name: 'netlink', reason: expect.stringMatching(/addon loaded/) });
    else expect(out).toEqual({ name: 'procfs', reason: expect.stringMatching(/not built/) });
  });

  test.each([
    ['ESM', `import('./dist/netlink.js').then((m) => console.log(typeof m.exchange))`],
    ['CJS', `console.log(typeof require('./dist/netlink.cjs').exchange)`],
    ['CJS by name', `console.log(typeof require('@procmon/netsock/netlink').exchange)`],
  ])('%s build: the netlink codec at @procmon/netsock/netlink', (_, code) => {
    expect(execFileSync(process.execPath, ['-e', code], { cwd: root, encoding: 'utf8' })).toBe(
      'function\n',
    );
  });
});
