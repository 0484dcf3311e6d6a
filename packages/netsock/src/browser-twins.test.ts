// The browser build's twins of netsock (addon, own-namespace, ip-syntax, netlink/errno): the same
// exports as the Node modules they replace, and what they do instead, run here in Node.
import { fileURLToPath } from 'node:url';
import { NodeOnlyError } from '@procmon/procfs';
import { describe, expect, it } from 'vitest';
import { browserTwins } from '../../../test-support/browser-twins.js';
import { errorOf } from '../../../test-support/errors.js';
import { addonError, loadAddon } from './addon.browser.js';
import { NetlinkError } from './netlink/errors.js';
import { ownNetNamespace } from './own-namespace.browser.js';

const SOURCE = fileURLToPath(new URL('.', import.meta.url));

describe('browser twins', () => {
  it('export what the Node modules export', async () => {
    const pairs = await browserTwins(SOURCE);
    expect(pairs.map((pair) => pair.module)).toEqual([
      'addon.ts',
      'ip-syntax.ts',
      'netlink/errno.ts',
      'own-namespace.ts',
    ]);
    for (const pair of pairs) expect(pair.browser, pair.module).toEqual(pair.node);
  });

  it('load no addon, saying why, and still type a socket error', async () => {
    expect(loadAddon()).toEqual({
      error: 'no native addon in a browser (netlink needs Node and Linux)',
    });
    const failure = Object.assign(new Error('refused'), { errno: 13 });
    expect(addonError(failure, 'send')).toBeInstanceOf(NetlinkError);
    expect(await errorOf(() => ownNetNamespace())).toBeInstanceOf(NodeOnlyError);
  });
});
