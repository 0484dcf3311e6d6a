// Archives crafted byte by byte, hostile or broken: each is refused with a SnapshotError that
// names the member and the fault. And a well-formed one comes back exactly as written.
import { describe, expect, it } from 'vitest';
import {
  craftArchive,
  craftedManifest,
  craftTar,
  headerOffset,
  manifestMember,
  patchHeader,
} from '../test/helpers.js';
import { readSnapshot, snapshotFromTar } from './archive.js';
import { SnapshotError, type SnapshotFault } from './errors.js';
import { gzip } from './gzip.js';
import { BLOCK } from './tar-format.js';
import { writeTar } from './tar-write.js';
import { lookup } from './tree.js';

const text = (value: string) => new TextEncoder().encode(value);

/** The SnapshotError that reading `bytes` gives (fails the test if it gives none). */
async function refusal(
  bytes: Uint8Array | Promise<Uint8Array>,
  limits?: Parameters<typeof readSnapshot>[1],
) {
  const error = await readSnapshot(await bytes, limits).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SnapshotError);
  return error as SnapshotError;
}

function expectFault(
  error: SnapshotError,
  reason: SnapshotFault,
  member: string | undefined,
  message: RegExp,
) {
  expect(error.reason).toBe(reason);
  expect(error.member).toBe(member);
  expect(error.message).toMatch(message);
}

describe('a well-formed archive', () => {
  it('comes back as written: files, folders, links with long and non-UTF-8 targets', async () => {
    const raw = Uint8Array.from([0x2f, 0x74, 0xff, 0x00 + 0x41, 0xfe]);
    const long = text(`/${'long/'.repeat(40)}end`);
    const snapshot = await readSnapshot(
      await craftArchive(
        [
          { type: 'folder', path: 'proc/' },
          { type: 'folder', path: 'proc/7/' },
          { type: 'file', path: 'proc/7/cmdline', data: Uint8Array.from([0x61, 0xff, 0, 0x62, 0]) },
          { type: 'link', path: 'proc/7/cwd', target: raw },
          { type: 'link', path: 'proc/7/exe', target: long },
          { type: 'file', path: 'proc/7/empty', data: new Uint8Array(0) },
          { type: 'file', path: `proc/7/${'n'.repeat(120)}`, data: text('long name') },
        ],
        craftedManifest({ pids: [7] }),
      ),
    );
    expect(snapshot.manifest).toEqual(craftedManifest({ pids: [7] }));
    expect(lookup(snapshot.proc, '7/cmdline').found).toEqual({
      kind: 'file',
      data: Uint8Array.from([0x61, 0xff, 0, 0x62, 0]),
    });
    expect(lookup(snapshot.proc, '7/cwd').found).toEqual({ kind: 'link', target: raw });
    expect(lookup(snapshot.proc, '7/exe').found).toEqual({ kind: 'link', target: long });
    expect(lookup(snapshot.proc, '7/empty').found).toEqual({
      kind: 'file',
      data: new Uint8Array(0),
    });
    expect(lookup(snapshot.proc, `7/${'n'.repeat(120)}`).found).toEqual({
      kind: 'file',
      data: text('long name'),
    });
    expect([...snapshot.proc.entries.keys()]).toEqual(['7']);
  });
});

describe('paths that could escape', () => {
  it.each([
    ['../evil', /is refused: it has a "\.\." segment/],
    ['proc/../../etc/passwd', /is refused: it has a "\.\." segment/],
    ['/etc/passwd', /is refused: it is absolute/],
    ['proc//1/stat', /is refused: it has a empty segment/],
    ['proc/./1/stat', /is refused: it has a "\." segment/],
    ['etc/passwd', /is refused: it is neither manifest\.json nor under proc\//],
    ['manifest.json.d/x', /is refused: it is neither/],
  ])('refuses a member %s', async (path, message) => {
    const error = await refusal(craftArchive([{ type: 'file', path, data: text('x') }]));
    expectFault(error, 'unsafe-path', path, message);
  });

  it('refuses a member under a link (an absolute symlink target used as a path)', async () => {
    const error = await refusal(
      craftArchive([
        { type: 'link', path: 'proc/1/root', target: text('/') },
        { type: 'file', path: 'proc/1/root/etc/passwd', data: text('root:x:0:0') },
      ]),
    );
    expectFault(
      error,
      'unsafe-path',
      'proc/1/root/etc/passwd',
      /goes on under root, which is a link/,
    );
  });

  it('refuses a member under a file, and a member twice', async () => {
    const under = await refusal(
      craftArchive([
        { type: 'file', path: 'proc/1/stat', data: text('1 (x) S') },
        { type: 'file', path: 'proc/1/stat/x', data: text('') },
      ]),
    );
    expectFault(under, 'unsafe-path', 'proc/1/stat/x', /which is a file/);
    const twice = await refusal(
      craftArchive([
        { type: 'file', path: 'proc/1/stat', data: text('a') },
        { type: 'link', path: 'proc/1/stat', target: text('/etc/shadow') },
      ]),
    );
    expectFault(twice, 'duplicate-member', 'proc/1/stat', /appears twice/);
  });

  it('refuses a path with a NUL (in a PAX path record)', async () => {
    const tar = craftTar([{ type: 'file', path: `proc/${'é'.repeat(60)}`, data: text('x') }]);
    // The writer gave this path a PAX record (not ASCII): put a NUL in it.
    const record = Buffer.from(tar).indexOf('path=proc/');
    tar[record + 'path=proc/'.length] = 0;
    const error = await refusal(gzip(tar));
    expect(error.reason).toBe('unsafe-path');
    expect(error.message).toMatch(/not UTF-8 text without NUL/);
  });

  it('refuses a PAX path past PATH_MAX, whose segments would each cost a folder', async () => {
    // 3 MB of `a/` took 370 MB of heap and 9 s before the cap; 64 MiB (a member's cap) runs out.
    const deep = `proc/${'a/'.repeat(2048)}f`;
    const error = await refusal(craftArchive([{ type: 'file', path: deep, data: text('x') }]));
    expectFault(error, 'unsafe-path', `${deep.slice(0, 200)}…`, /path of 4102 bytes, past 4096/);
    const fits = `proc/1/${'b'.repeat(4089)}`;
    const snapshot = await readSnapshot(
      await craftArchive(
        [{ type: 'file', path: fits, data: text('x') }],
        craftedManifest({ pids: [1] }),
      ),
    );
    expect(lookup(snapshot.proc, fits.slice(5)).found).toEqual({ kind: 'file', data: text('x') });
  });

  it('refuses hard links and devices', async () => {
    const tar = craftTar([{ type: 'file', path: 'proc/1/stat', data: text('x') }]);
    patchHeader(tar, headerOffset(tar, 'proc/1/stat'), 'type', text('1'));
    expectFault(await refusal(gzip(tar)), 'unsupported-member', 'proc/1/stat', /tar type '1'/);
  });
});

describe('sizes past the caps', () => {
  it('refuses a member whose header declares a huge size, before reading it', async () => {
    const tar = craftTar([{ type: 'file', path: 'proc/1/maps', data: text('x') }]);
    patchHeader(tar, headerOffset(tar, 'proc/1/maps'), 'size', text('77777777777\u0000'));
    expectFault(
      await refusal(gzip(tar)),
      'too-large',
      'proc/1/maps',
      /declares 8589934591 bytes, past the 67108864-byte cap/,
    );
  });

  it('refuses a base-256 size (8 GiB or more)', async () => {
    const tar = craftTar([{ type: 'file', path: 'proc/1/maps', data: text('x') }]);
    patchHeader(
      tar,
      headerOffset(tar, 'proc/1/maps'),
      'size',
      Uint8Array.from([0x80, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0]),
    );
    expectFault(await refusal(gzip(tar)), 'too-large', 'proc/1/maps', /base-256/);
  });

  it('refuses members past the member, total and count caps', async () => {
    const big = { type: 'file' as const, path: 'proc/1/maps', data: new Uint8Array(5000) };
    expectFault(
      await refusal(craftArchive([big]), { maxMemberBytes: 4096 }),
      'too-large',
      'proc/1/maps',
      /past the 4096-byte cap/,
    );
    const two = [big, { ...big, path: 'proc/2/maps' }];
    expectFault(
      await refusal(craftArchive(two), { maxTotalBytes: 9000 }),
      'too-large',
      'proc/2/maps',
      /add up past the 9000-byte cap/,
    );
    const error = await refusal(craftArchive(two), { maxMembers: 2 });
    expect(error.reason).toBe('too-many-members');
  });

  it('stops inflating a gzip bomb at the cap', async () => {
    // 64 MiB of zeros compress to about 64 KiB.
    const bomb = await gzip(new Uint8Array(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const error = await refusal(bomb, { maxDecompressedBytes: 1024 * 1024 });
    expectFault(error, 'too-large', undefined, /inflates past the 1048576-byte cap/);
  });
});

describe('truncated and malformed data', () => {
  it('refuses truncated gzip, wherever it is cut', async () => {
    const archive = await craftArchive([
      { type: 'file', path: 'proc/1/stat', data: text('1 (x) S 0'.repeat(500)) },
    ]);
    for (const length of [
      archive.length - 1,
      archive.length - 9,
      Math.floor(archive.length / 2),
      12,
    ]) {
      const error = await refusal(archive.subarray(0, length));
      expect(error.reason).toBe('truncated');
      expect(error.message).toMatch(/truncated/);
    }
  });

  it('refuses a tar stream cut inside a member, and one without its end blocks', () => {
    const tar = craftTar([{ type: 'file', path: 'proc/1/stat', data: new Uint8Array(2000) }]);
    const inMember = () =>
      snapshotFromTar(tar.subarray(0, headerOffset(tar, 'proc/1/stat') + BLOCK + 100));
    expect(inMember).toThrow(SnapshotError);
    expect(inMember).toThrow(/member proc\/1\/stat declares 2000 bytes, 100 remain/);
    expect(() => snapshotFromTar(tar.subarray(0, tar.length - 2 * BLOCK))).toThrow(
      /ends without its end-of-archive blocks/,
    );
  });

  it('refuses data that is not gzip, and a header whose checksum is wrong', async () => {
    expectFault(
      await refusal(text('PK\u0003\u0004 a zip file, not a snapshot')),
      'not-gzip',
      undefined,
      /not a gzip file/,
    );
    const tar = craftTar([{ type: 'file', path: 'proc/1/stat', data: text('x') }]);
    const at = headerOffset(tar, 'proc/1/stat') + 1;
    tar[at] = (tar[at] as number) ^ 1;
    expectFault(await refusal(gzip(tar)), 'malformed', undefined, /checksum does not match/);
  });

  it('refuses an archive whose first member is not the manifest, or a manifest of another version', async () => {
    const first = await refusal(
      gzip(writeTar([{ type: 'folder', path: 'proc/' }, manifestMember()], { mtimeSeconds: 0 })),
    );
    expectFault(first, 'manifest', 'proc/', /first member is proc\/, not manifest\.json/);
    const version = await refusal(craftArchive([], { ...craftedManifest(), version: 2 as 1 }));
    expectFault(version, 'manifest', 'manifest.json', /version is 2; this reader knows version 1/);
    const facts = await refusal(craftArchive([], { ...craftedManifest(), pageSize: -1 }));
    expectFault(facts, 'manifest', 'manifest.json', /pageSize is not a positive whole number/);
  });

  it('keeps the names a manifest holds, and refuses names or ids out of bounds', async () => {
    const named = craftedManifest({
      users: { '0': 'root', '1000': 'ana \u001b[31m', '1001': '1st' },
      groups: {},
    });
    expect((await readSnapshot(await craftArchive([], named))).manifest.users).toEqual({
      '0': 'root',
      '1000': 'ana \u001b[31m',
      '1001': '1st',
    });
    const refusedNames: [string, unknown][] = [
      ['users', ['root']],
      ['users', { '-1': 'x' }],
      ['users', { '4294967296': 'x' }],
      ['users', { '01': 'x' }],
      ['users', { '1': '' }],
      ['groups', { '1': 'a\u0000b' }],
      ['groups', { '1': 'x'.repeat(257) }],
      ['groups', { '1': 7 }],
      // A name of digits reads as an id: root's processes shown as user 1000.
      ['users', { '0': '1000' }],
      ['groups', { '0': '0' }],
    ];
    for (const [key, value] of refusedNames) {
      const refused = await refusal(craftArchive([], { ...craftedManifest(), [key]: value }));
      expectFault(
        refused,
        'manifest',
        'manifest.json',
        new RegExp(`${key} is not an object of ids`),
      );
    }
  });

  it('refuses a takenAt that is not a moment (ages are counted to it)', async () => {
    for (const takenAt of ['yesterday', '2026-13-45T99:00:00Z', '2026-01-02 03:04:05']) {
      const refused = await refusal(craftArchive([], { ...craftedManifest(), takenAt }));
      expectFault(refused, 'manifest', 'manifest.json', /takenAt is not an ISO 8601 moment/);
    }
  });
});

describe('process folders that contradict the manifest', () => {
  const stat = (pid: number) => `${pid} (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0\n`;
  const status = (pid: number) =>
    `Name:\tx\nUmask:\t0022\nState:\tS\nTgid:\t${pid}\nPid:\t${pid}\n`;
  const folder = (path: string) => ({ type: 'folder' as const, path });
  const file = (path: string, data: string) => ({ type: 'file' as const, path, data: text(data) });

  it.each([
    [
      'a stat of another pid',
      [200],
      [folder('proc/200/'), file('proc/200/stat', stat(201))],
      'proc/200/stat',
      /the stat of pid 201, not 200/,
    ],
    [
      'a status of another pid',
      [200],
      [folder('proc/200/'), file('proc/200/stat', stat(200)), file('proc/200/status', status(7))],
      'proc/200/status',
      /the status of pid 7, not 200/,
    ],
    [
      'a folder the pids do not list',
      [300],
      [folder('proc/300/'), folder('proc/301/'), file('proc/301/stat', stat(301))],
      'proc/301',
      /a process folder the manifest's pids do not list/,
    ],
    ['a pid listed twice', [5, 5], [], 'manifest.json', /its pids list 5 twice/],
    [
      'fd that is a file',
      [400],
      [folder('proc/400/'), file('proc/400/stat', stat(400)), file('proc/400/fd', 'x')],
      'proc/400/fd',
      /it is a file, not a folder/,
    ],
    ['a process that is a file', [9], [file('proc/9', stat(9))], 'proc/9', /a file, not a folder/],
  ])('refuses %s, naming the member', async (_name, pids, members, member, message) => {
    const error = await refusal(craftArchive(members, craftedManifest({ pids })));
    expectFault(error, 'inconsistent', member, message);
  });

  it('refuses a start time after the capture (it gave START NaN, and inspect threw RangeError)', async () => {
    // takenAt 2026-01-02T03:04:05Z, boot 1_700_000_000 s, 250 ticks a second: 2^53 - 1 ticks is
    // past the last date Date can hold; a tick a day after takenAt is a lie too.
    const day = (Date.parse('2026-01-02T03:04:05Z') / 1000 - 1_700_000_000 + 86_400) * 250;
    for (const ticks of [Number.MAX_SAFE_INTEGER, day]) {
      const started = stat(200).replace(' 5 0 0\n', ` ${ticks} 0 0\n`);
      const error = await refusal(
        craftArchive(
          [folder('proc/200/'), file('proc/200/stat', started)],
          craftedManifest({ pids: [200] }),
        ),
      );
      expectFault(error, 'inconsistent', 'proc/200/stat', new RegExp(`tick ${ticks}\\) is after`));
    }
  });

  it('refuses a boot after the capture (takenAt before boot)', async () => {
    const error = await refusal(
      craftArchive([], craftedManifest({ takenAt: '2020-01-01T00:00:00.000Z' })),
    );
    expectFault(error, 'manifest', 'manifest.json', /bootTimeSeconds is after takenAt/);
  });

  it('reads a process whose stat and status are its own, and a listed pid without a folder', async () => {
    const snapshot = await readSnapshot(
      await craftArchive(
        [
          folder('proc/200/'),
          file('proc/200/stat', stat(200)),
          file('proc/200/status', status(200)),
        ],
        craftedManifest({ pids: [200, 201] }),
      ),
    );
    expect([...snapshot.proc.entries.keys()]).toEqual(['200']);
  });

  it('reads a manifest that lists a million pids (no folder for any)', async () => {
    const pids = Array.from({ length: 1_000_000 }, (_, i) => i + 1);
    const snapshot = await readSnapshot(await craftArchive([], craftedManifest({ pids })));
    expect(snapshot.manifest.pids).toHaveLength(1_000_000);
  });
});
