// The inodes of the sockets no sock_diag table has, as /proc/<pid>/net/netlink and
// /proc/<pid>/net/packet list them (net/netlink/af_netlink.c and net/packet/af_packet.c, their
// seq_show functions): which descriptors of a process are netlink or packet sockets.
import { ParseError, shownValue } from './errors.js';
import { checkInput, type ProcInput, toBytes } from './input.js';
import { decodeText } from './text.js';

/** The /proc/net tables `parseNetInodes` reads. */
export type NetInodeTable = 'netlink' | 'packet';

/** Options of `parseNetInodes`. */
export interface ParseNetInodesOptions {
  /** Which file the input is: `/proc/net/netlink` or `/proc/net/packet`. */
  table: NetInodeTable;
}

type Column = RegExp;
const UNSIGNED = /^\d+$/;
const SIGNED = /^-?\d+$/;
// %pK: the socket's address, hashed (or zeros, with kptr_restrict).
const POINTER = /^[0-9a-f]{1,16}$/;

interface Format {
  header: readonly string[];
  columns: readonly Column[];
}

const FORMATS: Readonly<Record<NetInodeTable, Format>> = {
  // "%pK %-3d %-10u %08x %-8d %-8d %-5d %-8d %-8u %-8lu\n"
  netlink: {
    header: ['sk', 'Eth', 'Pid', 'Groups', 'Rmem', 'Wmem', 'Dump', 'Locks', 'Drops', 'Inode'],
    columns: [
      POINTER,
      UNSIGNED,
      UNSIGNED,
      /^[0-9a-f]{8}$/,
      SIGNED,
      SIGNED,
      SIGNED,
      SIGNED,
      UNSIGNED,
      UNSIGNED,
    ],
  },
  // "%pK %-6d %-4d %04x   %-5d %1d %-6u %-6u %-6lu\n" (an unbound interface is -1 after it went)
  packet: {
    header: ['sk', 'RefCnt', 'Type', 'Proto', 'Iface', 'R', 'Rmem', 'User', 'Inode'],
    columns: [
      POINTER,
      SIGNED,
      SIGNED,
      /^[0-9a-f]{4}$/,
      SIGNED,
      /^[01]$/,
      UNSIGNED,
      UNSIGNED,
      UNSIGNED,
    ],
  },
};

/**
 * The Inode column of `/proc/net/netlink` or `/proc/net/packet` (or the same file under
 * `/proc/<pid>/net/`), in row order. Strict: the header must be the kernel's, every row must
 * have its columns in their formats, separated by spaces, and end with a newline; anything else
 * is a ParseError of kind `net/netlink` or `net/packet` with the byte offset of the problem, as
 * is a `table` that is neither.
 */
export function parseNetInodes(input: ProcInput, options: ParseNetInodesOptions): number[] {
  const table = options?.table;
  if (table !== 'netlink' && table !== 'packet') {
    throw new ParseError('net/netlink', `unknown table "${shownValue(table)}"`, '', 0);
  }
  const kind = table === 'netlink' ? 'net/netlink' : 'net/packet';
  checkInput(kind, input);
  const bytes = toBytes(input);
  const format = FORMATS[table];
  // latin1: one character per byte, so a string offset is a byte offset.
  const text = decodeText(kind, bytes, 0, bytes.length, 'latin1');
  const fail = (message: string, offset: number): never => {
    throw new ParseError(kind, message, bytes, offset);
  };
  if (text.length === 0) fail('empty, no header', 0);
  if (!text.endsWith('\n')) fail('the last line has no newline (cut short?)', text.length);
  const inodes: number[] = [];
  let start = 0;
  let line = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    const fields = splitFields(text, start, end, fail);
    if (line === 0) {
      const names = fields.map((f) => f.text);
      if (names.join(' ') !== format.header.join(' ')) {
        fail(`header is not "${format.header.join(' ')}"`, start);
      }
    } else {
      if (fields.length !== format.columns.length) {
        fail(`${fields.length} columns, not ${format.columns.length}`, fields[0]?.offset ?? start);
      }
      for (let i = 0; i < fields.length; i++) {
        const field = fields[i] as Field;
        if (!(format.columns[i] as Column).test(field.text)) {
          fail(`malformed ${format.header[i]} column "${field.text}"`, field.offset);
        }
      }
      const last = fields[fields.length - 1] as Field;
      const inode = Number(last.text);
      if (!Number.isSafeInteger(inode)) fail(`inode ${last.text} out of range`, last.offset);
      inodes.push(inode);
    }
    start = end + 1;
    line++;
  }
  return inodes;
}

interface Field {
  text: string;
  offset: number;
}

/** The space-separated fields of text[start, end): no other whitespace, nothing empty. */
function splitFields(
  text: string,
  start: number,
  end: number,
  fail: (message: string, offset: number) => never,
): Field[] {
  if (text.charCodeAt(start) === 0x20) fail('a line starting with a space', start);
  const fields: Field[] = [];
  let i = start;
  while (i < end) {
    if (text.charCodeAt(i) === 0x20) {
      i++;
      continue;
    }
    const from = i;
    while (i < end && text.charCodeAt(i) !== 0x20) i++;
    fields.push({ text: text.slice(from, i), offset: from });
  }
  if (fields.length === 0) fail('empty line', start);
  return fields;
}
