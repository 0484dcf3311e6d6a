// Members into a tar stream: ustar headers, and a PAX extended header before a member whose path
// or link target ustar cannot hold exactly (longer than 100 bytes, or not plain ASCII). A target
// that is not UTF-8 is written with `hdrcharset=BINARY` (POSIX: the value is bytes, not text), so
// it comes back byte for byte, and GNU tar and bsdtar list it as the bytes it is.
import {
  BLOCK,
  FIELD,
  headerChecksum,
  isPlainAscii,
  type TarMember,
  TYPE,
  utf8OrUndefined,
} from './tar-format.js';

const encoder = new TextEncoder();
/** 8 GiB - 1: the most 11 octal digits can say. */
const MAX_OCTAL_SIZE = 0o77777777777;

export interface TarWriteOptions {
  /** The modification time of every member, in seconds since the epoch (when it was taken). */
  mtimeSeconds: number;
}

/** The tar stream of `members`, in their order, ended by two zero blocks. */
export function writeTar(members: Iterable<TarMember>, options: TarWriteOptions): Uint8Array {
  // Each member's blocks are planned first, then written in place into one buffer: no copy of
  // a member's data but the one into the archive.
  const planned = [...members].map((member) => plan(member));
  let total = 2 * BLOCK;
  for (const member of planned) total += member.size;
  const tar = new Uint8Array(total);
  let offset = 0;
  for (const member of planned) offset = member.write(tar, offset, options.mtimeSeconds);
  return tar;
}

interface Planned {
  size: number;
  write(tar: Uint8Array, offset: number, mtime: number): number;
}

const blocksOf = (bytes: number) => Math.ceil(bytes / BLOCK) * BLOCK;

function plan(member: TarMember): Planned {
  const path = encoder.encode(member.path);
  if (path.includes(0)) throw new TypeError(`a member path cannot hold NUL: ${member.path}`);
  const target = member.type === 'link' ? member.target : new Uint8Array(0);
  if (target.includes(0)) throw new TypeError(`a link target cannot hold NUL: ${member.path}`);
  const data = member.type === 'file' ? member.data : new Uint8Array(0);
  if (data.length > MAX_OCTAL_SIZE) throw new TypeError(`member ${member.path} is too large`);

  const records: [string, Uint8Array][] = [];
  const plainPath = path.length <= FIELD.name[1] && isPlainAscii(path);
  if (!plainPath) records.push(['path', path]);
  const plainTarget = target.length <= FIELD.linkname[1] && isPlainAscii(target);
  if (!plainTarget) {
    if (utf8OrUndefined(target) === undefined)
      records.push(['hdrcharset', encoder.encode('BINARY')]);
    records.push(['linkpath', target]);
  }
  const pax = records.length > 0 ? paxData(records) : undefined;
  const paxName = pax
    ? encoder.encode(`PaxHeaders/${member.path.split('/').pop()?.slice(0, 80) ?? ''}`)
    : undefined;
  const shownPath = plainPath
    ? path
    : encoder.encode(member.path.slice(-100).replace(/[^ -~]/g, '_'));
  const shownTarget = plainTarget ? target : new Uint8Array(0);
  const [type, mode] =
    member.type === 'file'
      ? [TYPE.file, 0o444]
      : member.type === 'folder'
        ? [TYPE.folder, 0o555]
        : [TYPE.link, 0o777];
  const size = (pax ? BLOCK + blocksOf(pax.length) : 0) + BLOCK + blocksOf(data.length);
  return {
    size,
    write(tar, offset, mtime) {
      let at = offset;
      if (pax && paxName) {
        header(
          tar.subarray(at, at + BLOCK),
          paxName,
          new Uint8Array(0),
          TYPE.pax,
          pax.length,
          0o644,
          mtime,
        );
        tar.set(pax, at + BLOCK);
        at += BLOCK + blocksOf(pax.length);
      }
      header(tar.subarray(at, at + BLOCK), shownPath, shownTarget, type, data.length, mode, mtime);
      tar.set(data, at + BLOCK);
      return at + BLOCK + blocksOf(data.length);
    },
  };
}

/** PAX records: `<length> <key>=<value>\n`, the length counting the whole record. */
function paxData(records: [string, Uint8Array][]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [key, value] of records) {
    const base = key.length + value.length + 3;
    let length = base + String(base).length;
    if (String(length).length !== String(base).length) length = base + String(length).length;
    const head = encoder.encode(`${length} ${key}=`);
    const record = new Uint8Array(length);
    record.set(head);
    record.set(value, head.length);
    record[length - 1] = 0x0a;
    parts.push(record);
  }
  const all = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return all;
}

const USTAR = encoder.encode('ustar\u000000');

/** A ustar header, written into `block` (a zeroed 512-byte view). */
function header(
  block: Uint8Array,
  name: Uint8Array,
  linkname: Uint8Array,
  type: number,
  size: number,
  mode: number,
  mtime: number,
): void {
  block.set(name.subarray(0, FIELD.name[1]), FIELD.name[0]);
  octal(block, FIELD.mode, mode);
  octal(block, FIELD.uid, 0);
  octal(block, FIELD.gid, 0);
  octal(block, FIELD.size, size);
  octal(block, FIELD.mtime, Math.max(0, Math.floor(mtime)));
  block[FIELD.type[0]] = type;
  block.set(linkname.subarray(0, FIELD.linkname[1]), FIELD.linkname[0]);
  block.set(USTAR, FIELD.magic[0]);
  const sum = headerChecksum(block);
  // Six octal digits, NUL, space: the form most tars write.
  octal(block, [FIELD.checksum[0], 7], sum);
  block[FIELD.checksum[0] + 7] = 0x20;
}

/** A number as zero-padded octal digits and a NUL, filling the field. */
function octal(block: Uint8Array, [at, length]: readonly [number, number], value: number): void {
  let rest = value;
  for (let i = at + length - 2; i >= at; i--) {
    block[i] = 0x30 + (rest % 8);
    rest = Math.floor(rest / 8);
  }
  block[at + length - 1] = 0;
}
