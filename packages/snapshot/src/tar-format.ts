// What the writer and the reader of tar members share: the member shapes and the ustar header
// layout (POSIX.1-2001 ustar, with PAX extended headers where ustar cannot say a thing exactly).

/** One member of a snapshot archive. Link targets are raw bytes: they need not be UTF-8. */
export type TarMember =
  | { type: 'file'; path: string; data: Uint8Array }
  | { type: 'folder'; path: string }
  | { type: 'link'; path: string; target: Uint8Array };

export const BLOCK = 512;

/** Field offsets and lengths of a ustar header block. */
export const FIELD = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  checksum: [148, 8],
  type: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  prefix: [345, 155],
} as const;

/** Type flags. */
export const TYPE = {
  file: 0x30, // '0'
  oldFile: 0x00, // '\0', pre-POSIX regular file
  link: 0x32, // '2', symbolic link
  folder: 0x35, // '5'
  pax: 0x78, // 'x', extended header for the next member
  globalPax: 0x67, // 'g', extended header for every member after it
} as const;

/** The sum of a header's bytes with its checksum field read as spaces. */
export function headerChecksum(block: Uint8Array): number {
  const [at, length] = FIELD.checksum;
  let sum = 0x20 * length;
  for (let i = 0; i < at; i++) sum += block[i] as number;
  for (let i = at + length; i < BLOCK; i++) sum += block[i] as number;
  return sum;
}

/** Whether every byte is printable ASCII (what a plain ustar field can hold unambiguously). */
export function isPlainAscii(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte < 0x20 || byte > 0x7e) return false;
  return true;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes as text when they are valid UTF-8, else undefined. */
export function utf8OrUndefined(bytes: Uint8Array): string | undefined {
  // ASCII is its own UTF-8: member paths (one per member, tens of thousands) skip the decoder,
  // whose per-call cost shows in a browser.
  if (bytes.length <= 256) {
    let text = '';
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i] as number;
      if (byte >= 0x80) return utf8Decoded(bytes);
      text += String.fromCharCode(byte);
    }
    return text;
  }
  return utf8Decoded(bytes);
}

function utf8Decoded(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}
