// One unix socket by inode: unix_diag's exact lookup (`udiag_ino` with no cookie), which finds
// the socket wherever it sits in the kernel's table (a dump can skip it).
import type { Flow } from '@procmon/procfs';
import type { SocketEntry } from '../types.js';
import { type DiagChannel, exchangeStep } from './channel-exchange.js';
import { ALL_STATES, SOCK_DIAG_BY_FAMILY } from './constants.js';
import { NetlinkError } from './errors.js';
import { encodeRequest, GET_FLAGS } from './message.js';
import { checkUnixMessage, decodeUnixMessage, encodeUnixDiagRequest, UNIX_SHOW } from './unix.js';

/**
 * The unix socket with `inode`, or undefined when the kernel has none (ENOENT: also what a kernel
 * without unix_diag answers, so the caller must know the table is supported). Throws the
 * exchange's other errors.
 */
export function* lookupUnixByInode(
  channel: DiagChannel,
  inode: number,
): Flow<SocketEntry | undefined> {
  const seq = channel.nextSeq();
  const request = encodeRequest(
    SOCK_DIAG_BY_FAMILY,
    GET_FLAGS,
    seq,
    encodeUnixDiagRequest({ states: ALL_STATES, show: UNIX_SHOW, inode }),
  );
  let entry: SocketEntry | undefined;
  try {
    yield* exchangeStep(channel, {
      request,
      seq,
      kind: 'net/unix',
      expectedType: SOCK_DIAG_BY_FAMILY,
      onMessage: (bytes, view, _type, start, length) => {
        checkUnixMessage(bytes, start, length);
        entry = decodeUnixMessage(bytes, view, start, length);
      },
    });
  } catch (error) {
    if (error instanceof NetlinkError && error.code === 'ENOENT') return undefined;
    throw error;
  }
  return entry !== undefined && entry.inode === inode ? entry : undefined;
}
