// The browser build's twins of procfs (root-folder, backend-choice, node-backend, machine-word):
// the same exports as the Node modules they replace, and what they do instead, run here in Node.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { browserTwins } from '../../../test-support/browser-twins.js';
import { errorOf } from '../../../test-support/errors.js';
import * as choice from './backend-choice.browser.js';
import { wordLayout } from './machine-word.browser.js';
import { nodeBackend } from './node-backend.browser.js';
import { NodeOnlyError } from './node-only-error.js';
import { checkRootFolder } from './root-folder.browser.js';

const SOURCE = fileURLToPath(new URL('.', import.meta.url));

describe('browser twins', () => {
  it('export what the Node modules export', async () => {
    const pairs = await browserTwins(SOURCE);
    expect(pairs.map((pair) => pair.module)).toEqual([
      'backend-choice.ts',
      'machine-word.ts',
      'node-backend.ts',
      'root-folder.ts',
    ]);
    for (const pair of pairs) expect(pair.browser, pair.module).toEqual(pair.node);
  });

  it('give no default backend: NodeOnlyError says to give a snapshot backend', async () => {
    const error = await errorOf(() => choice.defaultBackend());
    expect(error).toBeInstanceOf(NodeOnlyError);
    expect(error).toMatchObject({ name: 'NodeOnlyError', feature: 'proc' });
    expect((error as Error).message).toMatch(/^no \/proc in a browser: give ProcFS a backend/);
    expect(await errorOf(() => choice.procfsBackend())).toMatchObject({ feature: 'proc' });
    expect(choice.nativeBackend()).toBeUndefined();
  });

  it('read nothing with nodeBackend, sync or async', async () => {
    const op = { kind: 'read', path: 'self/stat', maxBytes: 4096 } as const;
    expect(await errorOf(() => nodeBackend.perform(op, '/proc'))).toMatchObject({
      name: 'NodeOnlyError',
      feature: 'node-fs',
    });
    expect(await errorOf(() => nodeBackend.performAsync(op, '/proc'))).toMatchObject({
      feature: 'node-fs',
    });
  });

  it('check no root folder, and cannot tell an auxv word layout', async () => {
    expect(checkRootFolder('/no/such/folder')).toBeUndefined();
    expect(await errorOf(() => wordLayout())).toMatchObject({ feature: 'auxv' });
  });
});
