// Text forms of IP addresses given as bytes in network order (as sock_diag and the decoded
// /proc/net tables give them), so every package prints an address the same way.

/**
 * The dotted-quad text (`127.0.0.1`) of the IPv4 address in `bytes[offset, offset + 4)`,
 * network byte order. Throws a RangeError when fewer than 4 bytes start at `offset`.
 */
export function formatIPv4(bytes: Uint8Array, offset = 0): string {
  checkRange(bytes, offset, 4, 'formatIPv4');
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/**
 * The RFC 5952 text of the IPv6 address in `bytes[offset, offset + 16)`, network byte order:
 * lowercase hex without leading zeros, the longest run of two or more zero groups (the first, on
 * a tie) written `::`, and an IPv4-mapped address as `::ffff:1.2.3.4`. Other addresses with an
 * IPv4 address inside (the deprecated IPv4-compatible `::a.b.c.d`, NAT64) are written in hex,
 * as `::7f00:1`. Throws a RangeError when fewer than 16 bytes start at `offset`.
 */
export function formatIPv6(bytes: Uint8Array, offset = 0): string {
  checkRange(bytes, offset, 16, 'formatIPv6');
  const words = [0, 0, 0, 0, 0, 0, 0, 0];
  let bestStart = -1;
  let bestLength = 1;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    const word = ((bytes[offset + 2 * i] as number) << 8) | (bytes[offset + 2 * i + 1] as number);
    words[i] = word;
    if (word !== 0) {
      runStart = -1;
      continue;
    }
    if (runStart < 0) runStart = i;
    // Strictly longer, so the first of equally long runs wins (RFC 5952 section 4.2.3).
    if (i - runStart + 1 > bestLength) {
      bestStart = runStart;
      bestLength = i - runStart + 1;
    }
  }
  if (bestStart === 0 && bestLength === 5 && words[5] === 0xffff) {
    return `::ffff:${formatIPv4(bytes, offset + 12)}`;
  }
  let out = '';
  let needColon = false;
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLength - 1;
      needColon = false;
      continue;
    }
    if (needColon) out += ':';
    out += (words[i] as number).toString(16);
    needColon = true;
  }
  return out;
}

function checkRange(bytes: Uint8Array, offset: number, length: number, name: string): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + length > bytes.length) {
    throw new RangeError(
      `${name}: needs ${length} bytes at offset ${offset}, the array has ${bytes.length}`,
    );
  }
}
