// A tar stream into members, for archives that may be hostile: every header is checked (its
// checksum, its octal fields), every declared size is checked against the caps before anything
// is sliced, data that ends early is `truncated`, and only files, folders and symbolic links
// are accepted (hard links, devices, FIFOs are refused: a snapshot never holds them).
import { SnapshotError } from './errors.js';
import type { CheckedLimits } from './limits.js';
import {
  BLOCK,
  FIELD,
  headerChecksum,
  type TarMember,
  TYPE,
  utf8OrUndefined,
} from './tar-format.js';

const latin1 = new TextDecoder('latin1');

/**
 * The longest member path (PATH_MAX): a snapshot's own are `proc/<pid>/task/<tid>/fd/<n>`. A
 * PAX path may be as long as a member (64 MiB), and each of its segments costs a folder: a
 * 3 MB path of `a/` took 370 MB of heap and 9 s.
 */
export const MAX_PATH_BYTES = 4096;
/** How much of a long member path an error message shows. */
const SHOWN_CHARS = 200;

/** What the PAX header before a member says of it. */
interface PaxOverrides {
  path?: Uint8Array;
  linkpath?: Uint8Array;
  size?: number;
}

/**
 * The members of a tar stream, in order, with raw paths checked only for being text: the
 * caller decides which paths are acceptable. SnapshotError on any fault, naming the member.
 */
export function* readTar(tar: Uint8Array, limits: CheckedLimits): Generator<TarMember> {
  let offset = 0;
  let members = 0;
  let totalBytes = 0;
  let pax: PaxOverrides | undefined;
  for (;;) {
    if (offset + BLOCK > tar.length) {
      throw new SnapshotError(
        offset === tar.length
          ? 'the archive is truncated: it ends without its end-of-archive blocks'
          : `the archive is truncated: a header at byte ${offset} is cut short`,
        { reason: 'truncated' },
      );
    }
    const block = tar.subarray(offset, offset + BLOCK);
    if (block.every((byte) => byte === 0)) return;
    members++;
    if (members > limits.maxMembers) {
      throw new SnapshotError(
        `the archive has more than ${limits.maxMembers} members (limits.maxMembers)`,
        {
          reason: 'too-many-members',
        },
      );
    }
    const header = parseHeader(block, offset);
    const name = pax?.path ?? header.name;
    const shown = shownName(name);
    if (name.length > MAX_PATH_BYTES) {
      throw new SnapshotError(
        `member ${shown} has a path of ${name.length} bytes, past ${MAX_PATH_BYTES} (PATH_MAX)`,
        { member: shown, reason: 'unsafe-path' },
      );
    }
    const size = pax?.size ?? header.size;
    if (size > limits.maxMemberBytes) {
      throw new SnapshotError(
        `member ${shown} declares ${size} bytes, past the ${limits.maxMemberBytes}-byte cap (limits.maxMemberBytes)`,
        { member: shown, reason: 'too-large' },
      );
    }
    totalBytes += size;
    if (totalBytes > limits.maxTotalBytes) {
      throw new SnapshotError(
        `the archive's members add up past the ${limits.maxTotalBytes}-byte cap (limits.maxTotalBytes) at ${shown}`,
        { member: shown, reason: 'too-large' },
      );
    }
    const dataStart = offset + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > tar.length) {
      throw new SnapshotError(
        `the archive is truncated: member ${shown} declares ${size} bytes, ${tar.length - dataStart} remain`,
        { member: shown, reason: 'truncated' },
      );
    }
    const data = tar.subarray(dataStart, dataEnd);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;

    if (header.type === TYPE.pax) {
      if (pax) throw malformed(shown, 'two PAX headers in a row');
      pax = parsePax(data, shown);
      continue;
    }
    if (header.type === TYPE.globalPax) continue; // says nothing a snapshot needs
    const overrides = pax;
    pax = undefined;
    const path = utf8OrUndefined(name);
    if (path === undefined || path.includes('\u0000')) {
      throw new SnapshotError(`member path ${shown} is not UTF-8 text without NUL`, {
        member: shown,
        reason: 'unsafe-path',
      });
    }
    if (header.type === TYPE.file || header.type === TYPE.oldFile) {
      yield { type: 'file', path, data };
    } else if (header.type === TYPE.folder) {
      if (size !== 0) throw malformed(shown, `a folder with ${size} bytes of data`);
      yield { type: 'folder', path };
    } else if (header.type === TYPE.link) {
      const target = overrides?.linkpath ?? header.linkname;
      if (target.length === 0) throw malformed(shown, 'a symbolic link with no target');
      yield { type: 'link', path, target: target.slice() };
    } else {
      throw new SnapshotError(
        `member ${shown} is of tar type '${String.fromCharCode(header.type)}': a snapshot holds only files, folders and symbolic links`,
        { member: shown, reason: 'unsupported-member' },
      );
    }
  }
}

interface Header {
  name: Uint8Array;
  linkname: Uint8Array;
  size: number;
  type: number;
}

function parseHeader(block: Uint8Array, offset: number): Header {
  const where = `the header at byte ${offset}`;
  const stored = octalField(block, FIELD.checksum);
  if (stored === undefined || stored !== headerChecksum(block)) {
    throw new SnapshotError(`${where} is not a tar header (its checksum does not match)`, {
      reason: 'malformed',
    });
  }
  const magic = latin1Text(block.subarray(FIELD.magic[0], FIELD.version[0] + FIELD.version[1]));
  const ustar = magic === 'ustar\u000000';
  if (!ustar && magic !== 'ustar  ') {
    throw new SnapshotError(`${where} is not a ustar header`, { reason: 'malformed' });
  }
  let name = cString(block, FIELD.name);
  const prefix = ustar ? cString(block, FIELD.prefix) : new Uint8Array(0);
  if (prefix.length > 0) {
    const joined = new Uint8Array(prefix.length + 1 + name.length);
    joined.set(prefix);
    joined[prefix.length] = 0x2f;
    joined.set(name, prefix.length + 1);
    name = joined;
  }
  const shown = latin1Text(name);
  if (((block[FIELD.size[0]] as number) & 0x80) !== 0) {
    throw new SnapshotError(`member ${shown} declares a size in base-256 (8 GiB or more)`, {
      member: shown,
      reason: 'too-large',
    });
  }
  const size = octalField(block, FIELD.size);
  if (size === undefined) throw malformed(shown, 'its size field is not an octal number');
  return {
    name,
    linkname: cString(block, FIELD.linkname),
    size,
    type: block[FIELD.type[0]] as number,
  };
}

/** PAX records (`<length> <key>=<value>\n`), each length checked against the data. */
function parsePax(data: Uint8Array, shown: string): PaxOverrides {
  const overrides: PaxOverrides = {};
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    const digits = space === -1 ? '' : latin1Text(data.subarray(offset, space));
    if (!/^[1-9][0-9]{0,9}$/.test(digits))
      throw malformed(shown, 'a PAX record without its length');
    const end = offset + Number(digits);
    if (end > data.length || data[end - 1] !== 0x0a) {
      throw malformed(shown, 'a PAX record whose length does not match its data');
    }
    const record = data.subarray(space + 1, end - 1);
    const equals = record.indexOf(0x3d);
    if (equals <= 0) throw malformed(shown, 'a PAX record without key=value');
    const key = latin1Text(record.subarray(0, equals));
    const value = record.slice(equals + 1);
    if (key === 'path') overrides.path = value;
    else if (key === 'linkpath') overrides.linkpath = value;
    else if (key === 'size') {
      const text = latin1Text(value);
      if (!/^(0|[1-9][0-9]{0,15})$/.test(text))
        throw malformed(shown, 'a PAX size that is not a number');
      overrides.size = Number(text);
    }
    offset = end;
  }
  return overrides;
}

/**
 * `latin1.decode(bytes)`. Header fields are short and ASCII: built here without the decoder,
 * whose per-call cost made decoding about half of reading a large archive in Chromium (a few
 * calls per member, tens of thousands of members). Any byte past ASCII goes to the decoder, so
 * the text is the decoder's in every case.
 */
function latin1Text(bytes: Uint8Array): string {
  if (bytes.length > 64) return latin1.decode(bytes);
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (byte >= 0x80) return latin1.decode(bytes);
    text += String.fromCharCode(byte);
  }
  return text;
}

/** A member's path for messages: whole up to SHOWN_CHARS bytes, else its start and `…`. */
function shownName(name: Uint8Array): string {
  return name.length <= SHOWN_CHARS
    ? latin1Text(name)
    : `${latin1Text(name.subarray(0, SHOWN_CHARS))}…`;
}

/** A NUL-terminated field's bytes (the whole field when it has no NUL). */
function cString(block: Uint8Array, [at, length]: readonly [number, number]): Uint8Array {
  const field = block.subarray(at, at + length);
  const nul = field.indexOf(0);
  return (nul === -1 ? field : field.subarray(0, nul)).slice();
}

/** An octal field (leading spaces or zeros, trailing NUL or spaces), or undefined. */
function octalField(
  block: Uint8Array,
  [at, length]: readonly [number, number],
): number | undefined {
  let start = at;
  let end = at + length;
  while (end > start && (block[end - 1] === 0 || block[end - 1] === 0x20)) end--;
  while (start < end && block[start] === 0x20) start++;
  const text = latin1Text(block.subarray(start, end));
  if (!/^[0-7]{1,12}$/.test(text)) return undefined;
  return Number.parseInt(text, 8);
}

function malformed(member: string, what: string): SnapshotError {
  return new SnapshotError(`member ${member} is malformed: ${what}`, {
    member,
    reason: 'malformed',
  });
}
