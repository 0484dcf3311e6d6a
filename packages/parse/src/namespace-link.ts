import { ParseError } from './errors.js';
import type { NamespaceType } from './fd-target.js';
import { checkInput, type ProcInput, toBytes } from './input.js';
import { NumberTooLargeError, readUint } from './numbers.js';

const KIND = 'ns';
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** A namespace, from the target of a `/proc/<pid>/ns/<name>` link (`net:[4026531840]`). */
export interface NamespaceId {
  /**
   * The namespace's type as nsfs writes it: one of `NamespaceType`, or a type a newer kernel
   * adds (a lowercase word). `pid_for_children` and `time_for_children` link to `pid:[...]` and
   * `time:[...]`: the link's name, not its target, says which file it was.
   */
  type: NamespaceType | (string & {});
  /** The namespace's inode number: two processes share a namespace when type and inode match. */
  inode: number;
}

/**
 * Parses a namespace link's target: `<type>:[<inode>]`, with a type of lowercase letters and
 * `_`, and a decimal inode.
 *
 * @throws ParseError for any other text: no type, a type with other characters, no `:[`, an
 *   inode that is not a decimal or passes 2^53, or anything after `]`.
 */
export function parseNamespaceLink(input: ProcInput): NamespaceId {
  checkInput(KIND, input);
  const bytes = toBytes(input);
  const colon = bytes.indexOf(COLON);
  if (colon === -1) throw new ParseError(KIND, 'expected "<type>:[<inode>]", no ":"', bytes, 0);
  if (colon === 0) throw new ParseError(KIND, 'the namespace type is empty', bytes, 0);
  let type = '';
  for (let i = 0; i < colon; i++) {
    const byte = bytes[i] as number;
    if (!((byte >= 0x61 && byte <= 0x7a) || byte === 0x5f)) {
      throw new ParseError(KIND, 'the namespace type is not a lowercase word', bytes, i);
    }
    type += String.fromCharCode(byte);
  }
  const last = bytes.length - 1;
  if (bytes[colon + 1] !== OPEN_BRACKET) {
    throw new ParseError(KIND, `expected "[" after "${type}:"`, bytes, colon + 1);
  }
  const close = bytes.indexOf(CLOSE_BRACKET, colon + 2);
  if (close === -1) throw new ParseError(KIND, 'no "]" after the inode', bytes, bytes.length);
  if (close !== last) throw new ParseError(KIND, 'text after "]"', bytes, close + 1);
  try {
    return { type, inode: readUint(KIND, bytes, colon + 2, close) };
  } catch (error) {
    const what =
      error instanceof NumberTooLargeError ? 'too large to be exact' : 'not a decimal number';
    throw new ParseError(KIND, `the inode is ${what}`, bytes, colon + 2);
  }
}
