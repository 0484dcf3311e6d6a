// Fuzz targets of what the diff reads from an untrusted snapshot: checksums.json and the files of
// a process (stat, cmdline, exe and fd links) and the socket tables. Whatever the bytes, reading
// gives a checked value or a SnapshotError naming the member, never another error; and a good
// checksums.json, written back, reads as itself.
import fc from 'fast-check';
import { accepted, check, fuzzFile, same } from '../../../../test-support/fuzz.js';
import { CHECKSUMS_NAME, parseChecksums, type SnapshotChecksums } from '../../src/checksums.js';
import { diffSnapshots } from '../../src/diff.js';
import { SnapshotError } from '../../src/errors.js';
import { newFolder, type Snapshot, type SnapshotFolder } from '../../src/tree.js';
import { craftedManifest } from '../helpers.js';

const fuzz = fuzzFile(import.meta.url);
const text = (value: string) => new TextEncoder().encode(value);

const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });

const goodChecksums: fc.Arbitrary<SnapshotChecksums> = fc
  .uniqueArray(fc.integer({ min: 1, max: 50 }), { maxLength: 6 })
  .chain((pids) =>
    fc.record({
      algorithms: fc.constant(['sha256', 'md5']),
      processes: fc.tuple(
        ...pids.map((pid) =>
          fc.oneof(
            fc.record({
              pid: fc.constant(pid),
              path: fc.string(),
              deleted: fc.boolean(),
              source: fc.constantFrom('exe', 'root', 'path', 'memory' as const),
              checksums: fc.record({ sha256: hex(64), md5: hex(32) }),
            }),
            fc.record({
              pid: fc.constant(pid),
              error: fc.constantFrom('EACCES', 'ESRCH', 'NO_SOURCE'),
            }),
          ),
        ),
      ),
    }),
  ) as fc.Arbitrary<SnapshotChecksums>;

const PIDS = Array.from({ length: 50 }, (_, i) => i + 1);

/** Only a SnapshotError naming `member` may come out of `read`. */
function refusedOrRead<T>(read: () => T, members: readonly string[]): T | undefined {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof SnapshotError)) throw error;
    check(members.includes(error.member as string), () => `refused naming ${error.member}`);
    return undefined;
  }
}

fuzz.target('checksums.json written back reads as itself', goodChecksums, (value) => {
  const json = JSON.stringify(value);
  // fast-check's records have no prototype: compare with the plain objects JSON.parse makes.
  check(same(parseChecksums(text(json), PIDS), JSON.parse(json)), 'read back as written');
  accepted();
});

/** A good checksums.json with junk JSON where one of its values was. */
const swapped = fc.tuple(goodChecksums, fc.jsonValue(), fc.nat()).map(([value, junk, at]) => {
  const json = JSON.stringify(value);
  // Put junk JSON where some value was: the result may not be JSON at all, or not valid.
  const spots = [...json.matchAll(/:(?:"[^"]*"|[0-9]+|true|false)/g)];
  const spot = spots[at % Math.max(1, spots.length)];
  if (spot?.index === undefined) return json;
  return `${json.slice(0, spot.index)}:${JSON.stringify(junk)}${json.slice(spot.index + spot[0].length)}`;
});

fuzz.target(
  'checksums.json: any JSON, or a good one with a value swapped, is read or refused naming it',
  fc.oneof(
    swapped,
    fc.jsonValue().map((v) => JSON.stringify(v)),
  ),
  (json) => {
    if (refusedOrRead(() => parseChecksums(text(json), PIDS), [CHECKSUMS_NAME])) accepted();
  },
);

/** A snapshot of one process 7 whose files are the fuzzer's bytes. */
function snapshotOf(files: {
  stat: Uint8Array;
  cmdline: Uint8Array;
  exe: Uint8Array;
  fd: Uint8Array;
  tcp: Uint8Array;
}): Snapshot {
  const proc = newFolder();
  const process: SnapshotFolder = newFolder();
  process.entries.set('stat', { kind: 'file', data: files.stat });
  process.entries.set('cmdline', { kind: 'file', data: files.cmdline });
  process.entries.set('exe', { kind: 'link', target: files.exe });
  const fd = newFolder();
  fd.entries.set('3', { kind: 'link', target: files.fd });
  process.entries.set('fd', fd);
  proc.entries.set('7', process);
  const net = newFolder();
  net.entries.set('tcp', { kind: 'file', data: files.tcp });
  proc.entries.set('net', net);
  return { manifest: craftedManifest({ pids: [7] }), proc };
}

const STAT =
  '7 (x) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 500 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n';
const TCP =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99 1 0000000000000000 100 0 0 10 0\n';

/** Bytes near a good file: cut, with a byte changed, or anything. */
const near = (good: string) =>
  fc.oneof(
    fc.constant(text(good)),
    fc.nat({ max: good.length }).map((n) => text(good.slice(0, n))),
    fc
      .tuple(fc.nat({ max: good.length - 1 }), fc.integer({ min: 0, max: 255 }))
      .map(([at, byte]) => {
        const bytes = text(good);
        bytes[at] = byte;
        return bytes;
      }),
    fc.uint8Array({ maxLength: 200 }),
  );

const damagedFiles = fc.record({
  stat: near(STAT),
  cmdline: near('x\0-y\0'),
  exe: near('/bin/x'),
  fd: near('socket:[99]'),
  tcp: near(TCP),
});

fuzz.target(
  'the diff over damaged process files and socket tables: a diff or a SnapshotError naming the member',
  damagedFiles,
  (files) => {
    const empty: Snapshot = { manifest: craftedManifest(), proc: newFolder() };
    const diff = refusedOrRead(
      () => diffSnapshots(empty, snapshotOf(files)),
      ['proc/7/stat', 'proc/net/tcp'],
    );
    if (diff === undefined) return;
    check(
      same(
        diff.started.map((p) => p.pid),
        [7],
      ),
      'process 7 started',
    );
    check(diff.gone.length === 0, 'nothing gone');
    for (const socket of diff.newListeners) check(socket.state === 'LISTEN', 'a listener listens');
    accepted();
  },
);
