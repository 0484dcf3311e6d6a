// What the snapshot tests share: a child with known arguments, environment, cwd, a descriptor on
// a file with a non-UTF-8 name and a listening TCP socket; and archives crafted byte by byte.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstLine, tempFolder, trackChild } from '../../../test-support/processes.js';
import { gzip } from '../src/gzip.js';
import { MANIFEST_NAME, type SnapshotManifest } from '../src/manifest.js';
import { BLOCK, FIELD, headerChecksum, type TarMember } from '../src/tar-format.js';
import { writeTar } from '../src/tar-write.js';

export { cleanup } from '../../../test-support/processes.js';

const bytes = (...parts: (string | number[])[]): Buffer =>
  Buffer.concat(
    parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))),
  );

/** An argument and a folder name that are not UTF-8 (0xff 0xfe cannot appear in UTF-8). */
export const RAW_ARG = bytes('arg-', [0xff, 0xfe], '-end');
/** Long enough that the cwd link passes ustar's 100 bytes: a PAX linkpath, marked BINARY. */
export const RAW_FOLDER = bytes(`cwd-${'x'.repeat(90)}-`, [0xff, 0xfe]);
export const RAW_FILE = bytes('held-', [0xfe], '.txt');
export const SECRET = 'hunter2-not-a-real-token';

export interface KnownChild {
  pid: number;
  port: number;
  /** The cwd as raw bytes. */
  cwd: Buffer;
  /** The held file's path as raw bytes (fd 7). */
  held: Buffer;
  args: Buffer[];
}

// Listens on an ephemeral loopback port, says which, then waits for ever.
const CHILD_SCRIPT =
  "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port)});setInterval(()=>{},1e6)";

/**
 * A node child started through sh and `env -i`: sh enters a folder whose name is not UTF-8 and
 * opens fd 7 on a file whose name is not UTF-8, then execs env, which execs node with exactly
 * this environment and these arguments (one of them not UTF-8).
 */
export async function startKnownChild(): Promise<KnownChild> {
  const base = Buffer.from(tempFolder('procmon-snapshot-'));
  const cwd = Buffer.concat([base, Buffer.from('/'), RAW_FOLDER]);
  mkdirSync(cwd);
  const held = Buffer.concat([cwd, Buffer.from('/'), RAW_FILE]);
  writeFileSync(held, 'held\n');
  const script = [
    `cd "$(printf '${escapeForPrintf(cwd)}')"`,
    `exec 7<"$(printf '${escapeForPrintf(held)}')"`,
    `exec env -i "SECRET_TOKEN=${SECRET}" "PLAIN=visible" "$0" -e "$1" "$(printf '${escapeForPrintf(RAW_ARG)}')" "two words"`,
  ].join('\n');
  const child = trackChild(
    spawn('sh', ['-c', script, process.execPath, CHILD_SCRIPT], {
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const port = Number(await firstLine(child));
  const args = [
    Buffer.from(process.execPath),
    Buffer.from('-e'),
    Buffer.from(CHILD_SCRIPT),
    RAW_ARG,
    Buffer.from('two words'),
  ];
  return { pid: child.pid as number, port, cwd, held, args };
}

/** Bytes as a printf format: every byte as an octal escape. */
function escapeForPrintf(value: Buffer): string {
  return [...value].map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('');
}

/** A manifest for crafted archives, with facts unlike any real machine's. */
export function craftedManifest(overrides: Partial<SnapshotManifest> = {}): SnapshotManifest {
  return {
    format: 'procmon-snapshot',
    version: 1,
    takenAt: '2026-01-02T03:04:05.000Z',
    hostname: 'crafted',
    kernel: '0.0.0-test',
    pageSize: 16384,
    clockTicks: 250,
    bootTimeSeconds: 1_700_000_000,
    pids: [],
    vanished: [],
    failures: [],
    environ: { captured: false, redacted: [] },
    ...overrides,
  };
}

export const manifestMember = (manifest: SnapshotManifest = craftedManifest()): TarMember => ({
  type: 'file',
  path: MANIFEST_NAME,
  data: new TextEncoder().encode(JSON.stringify(manifest)),
});

/** The tar stream of members, manifest first unless `withoutManifest`. */
export function craftTar(members: TarMember[], manifest?: SnapshotManifest): Uint8Array {
  return writeTar([manifestMember(manifest), ...members], { mtimeSeconds: 1_700_000_000 });
}

export const craftArchive = (
  members: TarMember[],
  manifest?: SnapshotManifest,
): Promise<Uint8Array> => gzip(craftTar(members, manifest));

/** Rewrites a field of the header at `offset` (and its checksum), as a hostile writer would. */
export function patchHeader(
  tar: Uint8Array,
  offset: number,
  field: keyof typeof FIELD,
  value: Uint8Array,
): void {
  const [at, length] = FIELD[field];
  const block = tar.subarray(offset, offset + BLOCK);
  block.fill(0, at, at + length);
  block.set(value.subarray(0, length), at);
  const sum = headerChecksum(block);
  block.set(
    new TextEncoder().encode(`${sum.toString(8).padStart(6, '0')}\u0000 `),
    FIELD.checksum[0],
  );
}

/** Where the header of the member named `path` starts in a tar stream written by writeTar. */
export function headerOffset(tar: Uint8Array, path: string): number {
  const name = new TextEncoder().encode(path);
  for (let offset = 0; offset + BLOCK <= tar.length; offset += BLOCK) {
    const field = tar.subarray(offset, offset + name.length + 1);
    if (name.every((byte, i) => field[i] === byte) && field[name.length] === 0) return offset;
  }
  throw new Error(`no header for ${path}`);
}

export const joinPath = join;
