// One inet socket by its tuple: sock_diag's exact lookup (SOCK_DIAG_BY_FAMILY without
// NLM_F_DUMP, `inet_diag_req_v2.id` filled in). The kernel looks the socket up as it would for
// an incoming packet, so it finds what a packet of that tuple would reach.
import type { ProcFileKind } from '@procmon/parse';
import type { Flow } from '@procmon/procfs';
import type { SocketEntry, SocketProtocol } from '../types.js';
import { type DiagChannel, exchangeStep } from './channel-exchange.js';
import { type AF_INET, type AF_INET6, ALL_STATES, SOCK_DIAG_BY_FAMILY } from './constants.js';
import { NetlinkError } from './errors.js';
import {
  checkInetMessage,
  decodeInetMessage,
  encodeInetDiagRequest,
  type InetSocketId,
} from './inet.js';
import { encodeRequest, GET_FLAGS } from './message.js';

/** An exact lookup, already in the kernel's terms (see `encodeTupleRequest`). */
export interface TupleRequest {
  family: typeof AF_INET | typeof AF_INET6;
  /** IPPROTO_TCP, IPPROTO_UDP or IPPROTO_UDPLITE. */
  protocol: number;
  protocolName: SocketProtocol;
  kind: ProcFileKind;
  /** 4 bytes (AF_INET) or 16 (AF_INET6), network order; all zero for "any". */
  local: Uint8Array;
  localPort: number;
  remote: Uint8Array;
  remotePort: number;
  /** undefined: any cookie (INET_DIAG_NOCOOKIE). */
  cookie?: bigint | undefined;
}

/**
 * The inet_diag_req_v2 of an exact lookup. TCP (inet_diag_find_one_icsk) takes id.src as the
 * socket's local side; UDP and UDP-Lite (udp_dump_one) pass id.src to the lookup as the packet's
 * source, which is the socket's remote side ("src and dst are swapped for historical reasons"
 * in udp_diag.c): the same socket is asked with its sides swapped there.
 */
export function encodeTupleRequest(request: TupleRequest): Uint8Array {
  const swapped = request.protocolName !== 'tcp';
  const local = { address: request.local, port: request.localPort };
  const remote = { address: request.remote, port: request.remotePort };
  const [source, destination] = swapped ? [remote, local] : [local, remote];
  const id: InetSocketId = {
    source: source.address,
    sourcePort: source.port,
    destination: destination.address,
    destinationPort: destination.port,
    interfaceIndex: 0,
  };
  if (request.cookie !== undefined) id.cookie = request.cookie;
  return encodeInetDiagRequest({
    family: request.family,
    protocol: request.protocol,
    states: ALL_STATES,
    id,
  });
}

/**
 * What the kernel answers an exact lookup with: the socket's entry, or undefined when it has
 * none (ENOENT: also what a kernel without the protocol's diag handler answers, so the caller
 * must know the handler exists). Other errors throw. The entry is as the kernel gives it: the
 * caller checks it is the socket asked for.
 */
export function* lookupInetByTuple(
  channel: DiagChannel,
  request: TupleRequest,
): Flow<SocketEntry | undefined> {
  const seq = channel.nextSeq();
  const bytes = encodeRequest(SOCK_DIAG_BY_FAMILY, GET_FLAGS, seq, encodeTupleRequest(request));
  let entry: SocketEntry | undefined;
  try {
    yield* exchangeStep(channel, {
      request: bytes,
      seq,
      kind: request.kind,
      expectedType: SOCK_DIAG_BY_FAMILY,
      onMessage: (b, view, _type, start, length) => {
        checkInetMessage(b, view, start, length, request.kind);
        entry = decodeInetMessage(b, view, start, request.protocolName);
      },
    });
  } catch (error) {
    if (error instanceof NetlinkError && error.code === 'ENOENT') return undefined;
    throw error;
  }
  return entry;
}
