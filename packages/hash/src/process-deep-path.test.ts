// A binary deeper than PATH_MAX: readlink of /proc/<pid>/exe fails (ENAMETOOLONG), opening it
// works. The checksum must not depend on the link's text: it is the helper's own, from exe, with
// `path` undefined and the reason given.
import { spawnSync } from 'node:child_process';
import { ProcfsError } from '@procmon/procfs';
import { afterAll, describe, expect, it } from 'vitest';
import { deepExecArgs } from '../../../test-support/deep-path.js';
import {
  checksumOf,
  cleanup,
  codeOf,
  errorOf,
  FILES_REFUSED,
  sleepBinary,
  startProgram,
  styles,
  tempFolder,
  toolDigest,
} from '../test/helpers.js';
import { ChecksumCache, HashError } from './index.js';

afterAll(cleanup);

describe('a binary deeper than PATH_MAX', () => {
  let pid = 0;

  it('is set up: its exe link cannot be read, its file can', async () => {
    ({ pid } = await startProgram('python3', deepExecArgs(tempFolder(), sleepBinary, ['60'])));
    expect(spawnSync('readlink', [`/proc/${pid}/exe`]).status).not.toBe(0);
    expect(spawnSync('cmp', [`/proc/${pid}/exe`, sleepBinary]).status).toBe(0);
  });

  describe.each(styles)('processChecksum (%s)', (style) => {
    it("is the helper's own checksum, from exe, with no path and the reason", async () => {
      const result = await checksumOf(style, pid, ['sha256', 'md5']);
      expect(result).toMatchObject({
        checksums: {
          sha256: toolDigest('sha256', sleepBinary),
          md5: toolDigest('md5', sleepBinary),
        },
        source: 'exe',
        path: undefined,
        deleted: undefined,
        attempts: [],
      });
      expect(result.pathError).toBeInstanceOf(ProcfsError);
      expect(codeOf(result.pathError)).toBe('ENAMETOOLONG');
    });

    it('through a cache too', async () => {
      const cache = new ChecksumCache({ settleMs: 0 });
      const result = await checksumOf(style, pid, ['sha256'], { cache });
      expect(result.checksums).toEqual({ sha256: toolDigest('sha256', sleepBinary) });
    });

    it('when exe cannot be hashed either, says that no other source could be tried', async () => {
      const error = await errorOf(() => checksumOf(style, pid, ['sha256'], FILES_REFUSED));
      expect(error).toBeInstanceOf(HashError);
      expect(codeOf(error)).toBe('NO_SOURCE');
      expect((error as Error).message).toMatch(/EFBIG|cap/);
      expect((error as Error).message).toMatch(/ENAMETOOLONG/);
    });
  });
});
