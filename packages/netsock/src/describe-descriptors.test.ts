// describeDescriptors: each descriptor as one line of text, the target decoded as the kernel
// wrote it (UTF-8, not Latin-1), control characters escaped so a file name cannot forge a line.
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SocketResolver } from './index.js';

const folder = mkdtempSync(join(tmpdir(), 'netsock-describe-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('describeDescriptors', () => {
  it('keeps a file name with a newline and UTF-8 on one line, decoded right', () => {
    const path = join(folder, 'naïve\nsocket:[1] - 1:1.2.3.4 -> 5.6.7.8:9, state: ESTABLISHED');
    writeFileSync(path, 'x');
    const fd = openSync(path, 'r');
    const resolver = new SocketResolver();
    try {
      const described = resolver.describeDescriptors(process.pid).find((d) => d.fd === fd);
      expect(described).toEqual({
        fd,
        target: path,
        text: path.replace('\n', '\\x0a'),
      });
      expect(described?.text).not.toContain('\n');
    } finally {
      resolver.close();
      closeSync(fd);
    }
  });
});
