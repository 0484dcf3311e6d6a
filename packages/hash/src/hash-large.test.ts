// A file larger than 1 GiB, made for the test: sparse (`truncate -s 1100M`) with a few real bytes
// near the start, across the first 1 MiB chunk boundary, in the middle, across the 1 GiB mark
// and at the very end. md5 and sha1 together, one pass per function, against md5sum and sha1sum
// run once (in parallel) in beforeAll. It is past the 1 GiB default cap: each call raises it.
import { execFile, execFileSync } from 'node:child_process';
import { closeSync, createReadStream, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, codeOf, errorOf, parseToolOutput, tempFolder } from '../test/helpers.js';
import { HashError, hashBytes, hashFile, hashFileAsync, hashStream } from './index.js';

afterAll(cleanup);

const run = promisify(execFile);
const MiB = 1024 * 1024;
const SIZE = 1100 * MiB;
const ALGORITHMS = ['md5', 'sha1'];
/** A cap the file fits under: the default (1 GiB) refuses it. */
const RAISED = { maxBytes: 2048 * MiB };

/** Real bytes written into the sparse file, at these offsets. */
const WRITES: [number, string][] = [
  [3, 'near the start'],
  [MiB - 5, 'across the first chunk boundary'],
  [550 * MiB + 12_345, 'in the middle'],
  [1024 * MiB - 4, 'across 1 GiB'],
  [SIZE - 12, 'at the end!!'],
];

let path = '';
let truth: Record<string, string> = {};

beforeAll(async () => {
  path = join(tempFolder(), 'large.bin');
  execFileSync('truncate', ['-s', '1100M', path]);
  const fd = openSync(path, 'r+');
  try {
    for (const [offset, text] of WRITES) writeSync(fd, Buffer.from(text), 0, text.length, offset);
  } finally {
    closeSync(fd);
  }
  const [md5, sha1] = await Promise.all([run('md5sum', [path]), run('sha1sum', [path])]);
  truth = {
    md5: parseToolOutput(md5.stdout, 1)[0] as string,
    sha1: parseToolOutput(sha1.stdout, 1)[0] as string,
  };
}, 120_000);

describe('a sparse file of 1100 MiB with real bytes at the start, middle and end', () => {
  it('is what the test meant to make', () => {
    expect(statSync(path).size).toBe(SIZE);
    expect(statSync(path).size).toBeGreaterThan(1024 * MiB);
  });

  it('is refused by the default cap, before any read', async () => {
    for (const error of [
      await errorOf(() => hashFile(path, ALGORITHMS)),
      await errorOf(() => hashFileAsync(path, ALGORITHMS)),
    ]) {
      expect(error).toBeInstanceOf(HashError);
      expect(codeOf(error)).toBe('EFBIG');
    }
  });

  it('hashFile gives md5sum and sha1sum in one pass', () => {
    expect(hashFile(path, ALGORITHMS, RAISED)).toEqual(truth);
  }, 60_000);

  it('hashFileAsync gives md5sum and sha1sum in one pass', async () => {
    expect(await hashFileAsync(path, ALGORITHMS, RAISED)).toEqual(truth);
  }, 60_000);

  it('hashStream over fs.createReadStream gives md5sum and sha1sum in one pass', async () => {
    expect(
      await hashStream(createReadStream(path, { highWaterMark: 4 * MiB }), ALGORITHMS, RAISED),
    ).toEqual(truth);
  }, 60_000);

  it('hashBytes over the same 1100 MiB in memory gives md5sum and sha1sum', () => {
    const bytes = Buffer.alloc(SIZE);
    for (const [offset, text] of WRITES) bytes.write(text, offset, 'latin1');
    expect(hashBytes(bytes, ALGORITHMS)).toEqual(truth);
  }, 60_000);
});
