// gzip through the web-standard CompressionStream and DecompressionStream (globals in Node 20 and
// in browsers): no dependency, and inflating is read chunk by chunk so a gzip bomb stops at the
// cap instead of after it.
import { SnapshotError } from './errors.js';

const GZIP_MAGIC = [0x1f, 0x8b];

/** `bytes` gzip-compressed. */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = singleChunk(bytes).pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * The inflated bytes of a gzip file, at most `maxBytes` of them: past that, reading stops and
 * a SnapshotError (`too-large`) is thrown. Data that is not gzip, or ends early, or is corrupt,
 * is a SnapshotError too.
 */
export async function gunzipCapped(bytes: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  if (bytes.length < 18 || bytes[0] !== GZIP_MAGIC[0] || bytes[1] !== GZIP_MAGIC[1]) {
    throw new SnapshotError(
      bytes.length < 18 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]
        ? `the snapshot is truncated: ${bytes.length} bytes of gzip cannot hold an archive`
        : 'the snapshot is not a gzip file (a snapshot is a .tar.gz)',
      {
        reason: bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1] ? 'truncated' : 'not-gzip',
      },
    );
  }
  const input = singleChunk(bytes);
  const reader = input.pipeThrough(new DecompressionStream('gzip')).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new SnapshotError(
          `the snapshot inflates past the ${maxBytes}-byte cap (limits.maxDecompressedBytes): refused before inflating further`,
          { reason: 'too-large' },
        );
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof SnapshotError) throw error;
    const text = error instanceof Error ? error.message : String(error);
    const truncated = /unexpected end|end of file|premature|truncat/i.test(text);
    throw new SnapshotError(
      truncated
        ? `the snapshot is truncated: its gzip data ends early (${text})`
        : `the snapshot's gzip data is corrupt (${text})`,
      { reason: truncated ? 'truncated' : 'malformed', cause: error },
    );
  }
  const all = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return all;
}

/** A stream of one chunk: the bytes themselves, not a copy. */
function singleChunk(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}
