// The browser build's twins of hash (algorithms, file-ops): the same exports as the Node modules
// they replace, and every checksum step throwing NodeOnlyError instead, run here in Node.
import { fileURLToPath } from 'node:url';
import { NodeOnlyError, ProcFS } from '@procmon/procfs';
import { describe, expect, it } from 'vitest';
import { browserTwins } from '../../../test-support/browser-twins.js';
import { errorOf } from '../../../test-support/errors.js';
import { checkAlgorithms, MultiHash } from './algorithms.browser.js';
import { openFd, pause } from './file-ops.browser.js';

const SOURCE = fileURLToPath(new URL('.', import.meta.url));

describe('browser twins', () => {
  it('export what the Node modules export', async () => {
    const pairs = await browserTwins(SOURCE);
    expect(pairs.map((pair) => pair.module)).toEqual(['algorithms.ts', 'file-ops.ts']);
    for (const pair of pairs) expect(pair.browser, pair.module).toEqual(pair.node);
  });

  it('hash nothing and open nothing: NodeOnlyError', async () => {
    expect(await errorOf(() => checkAlgorithms(['sha256']))).toMatchObject({ feature: 'hash' });
    expect(await errorOf(() => new MultiHash(['sha256']))).toBeInstanceOf(NodeOnlyError);
    const procfs = new ProcFS();
    expect(await errorOf(() => procfs.run(openFd('/etc/hostname', 0)))).toMatchObject({
      feature: 'node-fs',
    });
    expect(await errorOf(() => procfs.runAsync(pause(1)))).toBeInstanceOf(NodeOnlyError);
  });
});
