// checksums.json crafted by hand, well-formed and hostile: a good one comes back as written on
// snapshot.checksums, and each bad one is refused with a SnapshotError naming the member.
import { describe, expect, it } from 'vitest';
import { craftArchive, craftedManifest } from '../test/helpers.js';
import { readSnapshot } from './archive.js';
import { CHECKSUMS_NAME } from './checksums.js';
import { SnapshotError } from './errors.js';
import type { TarMember } from './tar-format.js';

const SHA256_OF_EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const manifest = craftedManifest({ pids: [7, 9] });

const checksumsMember = (value: unknown): TarMember => ({
  type: 'file',
  path: CHECKSUMS_NAME,
  data:
    value instanceof Uint8Array
      ? value
      : new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value)),
});

const GOOD = {
  algorithms: ['sha256'],
  processes: [
    {
      pid: 7,
      path: '/usr/bin/empty',
      deleted: false,
      source: 'exe',
      checksums: { sha256: SHA256_OF_EMPTY },
    },
    { pid: 9, error: 'EACCES' },
  ],
};

async function refusalOf(value: unknown, members: TarMember[] = []): Promise<SnapshotError> {
  const archive = await craftArchive([checksumsMember(value), ...members], manifest);
  const error = await readSnapshot(archive).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SnapshotError);
  return error as SnapshotError;
}

describe('a well-formed checksums.json', () => {
  it('comes back as written on snapshot.checksums', async () => {
    const snapshot = await readSnapshot(await craftArchive([checksumsMember(GOOD)], manifest));
    expect(snapshot.checksums).toEqual(GOOD);
  });

  it('is absent from a snapshot without it', async () => {
    const snapshot = await readSnapshot(await craftArchive([], manifest));
    expect(snapshot.checksums).toBeUndefined();
  });
});

describe('a hostile checksums.json is refused, naming the member', () => {
  const withEntry = (entry: unknown) => ({ algorithms: ['sha256'], processes: [entry] });
  const cases: [string, unknown, RegExp][] = [
    ['not JSON', '{"algorithms": [', /not UTF-8 JSON/],
    ['not UTF-8', Uint8Array.from([0x7b, 0xff, 0x7d]), /not UTF-8 JSON/],
    ['a list at the top', [], /not an object/],
    ['an unknown top-level key', { ...GOOD, extra: 1 }, /unknown key "extra"/],
    ['no algorithms', { algorithms: [], processes: [] }, /algorithms is not a non-empty list/],
    ['an algorithm twice', { algorithms: ['sha256', 'SHA256'], processes: [] }, /listed twice/],
    [
      'an algorithm name with a slash',
      { algorithms: ['../x'], processes: [] },
      /not an algorithm name/,
    ],
    ['processes not a list', { algorithms: ['sha256'], processes: {} }, /processes is not a list/],
    [
      'a pid not captured',
      withEntry({ pid: 8, error: 'EACCES' }),
      /pid 8 is not a captured process/,
    ],
    ['a pid that is not a number', withEntry({ pid: '7', error: 'EACCES' }), /pid is not a pid/],
    ['a negative pid', withEntry({ pid: -7, error: 'EACCES' }), /pid is not a pid/],
    [
      'a pid twice',
      {
        algorithms: ['sha256'],
        processes: [
          { pid: 7, error: 'EIO' },
          { pid: 7, error: 'EIO' },
        ],
      },
      /pid 7 is listed twice/,
    ],
    ['neither checksums nor error', withEntry({ pid: 7 }), /either checksums or error/],
    [
      'both checksums and error',
      withEntry({ pid: 7, error: 'EIO', checksums: { sha256: SHA256_OF_EMPTY } }),
      /either checksums or error/,
    ],
    [
      'an error that is no code',
      withEntry({ pid: 7, error: 'rm -rf /' }),
      /error is not an error code/,
    ],
    [
      'a short digest',
      withEntry({ pid: 7, checksums: { sha256: 'abcd' } }),
      /has 4 hex digits, not 64/,
    ],
    [
      'an uppercase digest',
      withEntry({ pid: 7, checksums: { sha256: SHA256_OF_EMPTY.toUpperCase() } }),
      /not lowercase hex/,
    ],
    [
      'a digest that is a number',
      withEntry({ pid: 7, checksums: { sha256: 12 } }),
      /not lowercase hex/,
    ],
    [
      'a digest of an algorithm not listed',
      withEntry({ pid: 7, checksums: { sha256: SHA256_OF_EMPTY, md5: 'a'.repeat(32) } }),
      /unknown key "md5"/,
    ],
    [
      'a missing digest',
      withEntry({ pid: 7, checksums: {} }),
      /checksums.sha256 is not lowercase hex/,
    ],
    [
      'a path that is not a string',
      withEntry({ pid: 7, path: ['/bin'], checksums: { sha256: SHA256_OF_EMPTY } }),
      /path is not a path/,
    ],
    [
      'an unknown source',
      withEntry({ pid: 7, source: 'guess', checksums: { sha256: SHA256_OF_EMPTY } }),
      /source is not one of/,
    ],
    [
      'a __proto__ key',
      '{"algorithms":["sha256"],"processes":[{"pid":7,"__proto__":{"x":1},"error":"EIO"}]}',
      /unknown key "__proto__"/,
    ],
  ];
  it.each(cases)('%s', async (_name, value, message) => {
    const error = await refusalOf(value);
    expect(error.member).toBe(CHECKSUMS_NAME);
    expect(error.reason).toBe('checksums');
    expect(error.message).toMatch(message);
  });

  it('takes an algorithm named as an Object property for an unknown one, not its function', async () => {
    // It was refused as "has 64 hex digits, not function Object() { [native code] }".
    const named = {
      algorithms: ['constructor', 'toString'],
      processes: [
        { pid: 7, checksums: { constructor: SHA256_OF_EMPTY, toString: 'ab'.repeat(8) } },
      ],
    };
    const snapshot = await readSnapshot(await craftArchive([checksumsMember(named)], manifest));
    expect(snapshot.checksums).toEqual(named);
    const short = {
      ...named,
      processes: [{ pid: 7, checksums: { constructor: 'ab', toString: 'ab'.repeat(8) } }],
    };
    expect((await refusalOf(short)).message).toMatch(/checksums.constructor has 2 hex digits$/);
  });

  it('anywhere but right after the manifest, as any member outside proc/', async () => {
    const archive = await craftArchive(
      [{ type: 'folder', path: 'proc/' }, checksumsMember(GOOD)],
      manifest,
    );
    const error = await readSnapshot(archive).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SnapshotError);
    expect((error as SnapshotError).reason).toBe('unsafe-path');
    expect((error as SnapshotError).member).toBe(CHECKSUMS_NAME);
  });

  it('twice', async () => {
    const error = await refusalOf(GOOD, [checksumsMember(GOOD)]);
    expect(error.reason).toBe('unsafe-path');
    expect(error.member).toBe(CHECKSUMS_NAME);
  });
});
