// Members into a tar stream: ustar headers, and a PAX extended header before a member whose path
// or link target ustar cannot hold exactly (longer than 100 bytes, or not plain ASCII). A target
// that is not UTF-8 is written with `hdrcharset=BINARY` (POSIX: the value is bytes, not text), so
// it comes back byte for byte, and GNU tar and bsdtar list it as the bytes it is.
import { BLOCK, FIELD, headerChecksum, isPlainAscii, type TarMember, TYPE, utf8OrUndefined } from './tar-format.js';

const encoder = new TextEncoder();
/** 8 GiB - 1: the most 11 octal digits can say. */
const MAX_OCTAL_SIZE = 0o77777777777;

export interface TarWriteOptions {
  /** The modification time of every member, in seconds since the epoch (when it was taken). */
  mtimeSeconds: number;
}

/** The tar stream of `members`, in their order, ended by two zero blocks. */
export function writeTar(members: Iterable<TarMember>, options: TarWriteOptions): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  const push = (part: Uint8Array) => {
    parts.push(part);
    total += part.length;
  };
  for (const member of members) {
    for (const part of memberBlocks(member, options.mtimeSeconds)) push(part);
  }
  push(new Uint8Array(2 * BLOCK));
  const tar = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    tar.set(part, offset);
    offset += part.length;
  }
  return tar;
}

function memberBlocks(member: TarMember, mtime: number): Uint8Array[] {
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
    if (utf8OrUndefined(target) === undefined) records.push(['hdrcharset', encoder.encode('BINARY')]);
    records.push(['linkpath', target]);
  }
  const blocks: Uint8Array[] = [];
  if (records.length > 0) {
    const pax = paxData(records);
    const name = `PaxHeaders/${member.path.split('/').pop()?.slice(0, 80) ?? ''}`;
    blocks.push(header(encoder.encode(name), new Uint8Array(0), TYPE.pax, pax.length, 0o644, mtime));
    blocks.push(padded(pax));
  }
  const shownPath = plainPath ? path : encoder.encode(member.path.slice(-100).replace(/[^ -~]/g, '_'));
  const shownTarget = plainTarget ? target : new Uint8Array(0);
  const [type, mode] =
    member.type === 'file'
      ? [TYPE.file, 0o444]
      : member.type === 'folder'
        ? [TYPE.folder, 0o555]
        : [TYPE.link, 0o777];
  blocks.push(header(shownPath, shownTarget, type, data.length, mode, mtime));
  if (data.length > 0) blocks.push(padded(data));
  return blocks;
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

function header(
  name: Uint8Array,
  linkname: Uint8Array,
  type: number,
  size: number,
  mode: number,
  mtime: number,
): Uint8Array {
  const block = new Uint8Array(BLOCK);
  block.set(name.subarray(0, FIELD.name[1]), FIELD.name[0]);
  octal(block, FIELD.mode, mode);
  octal(block, FIELD.uid, 0);
  octal(block, FIELD.gid, 0);
  octal(block, FIELD.size, size);
  octal(block, FIELD.mtime, Math.max(0, Math.floor(mtime)));
  block[FIELD.type[0]] = type;
  block.set(linkname.subarray(0, FIELD.linkname[1]), FIELD.linkname[0]);
  block.set(encoder.encode('ustar\u0000'), FIELD.magic[0]);
  block.set(encoder.encode('00'), FIELD.version[0]);
  const sum = headerChecksum(block);
  block.set(encoder.encode(`${sum.toString(8).padStart(6, '0')}\u0000 `), FIELD.checksum[0]);
  return block;
}

/** A number as zero-padded octal digits and a NUL, filling the field. */
function octal(block: Uint8Array, [at, length]: readonly [number, number], value: number): void {
  block.set(encoder.encode(`${value.toString(8).padStart(length - 1, '0')}\u0000`), at);
}

/** Data followed by zeros up to a whole block. */
function padded(data: Uint8Array): Uint8Array {
  const size = Math.ceil(data.length / BLOCK) * BLOCK;
  if (size === data.length) return data;
  const block = new Uint8Array(size);
  block.set(data);
  return block;
}
