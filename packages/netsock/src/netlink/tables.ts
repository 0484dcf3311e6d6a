import type { ProcFileKind } from '@procmon/parse';
import type { Flow } from '@procmon/procfs';
import type { SocketEntry, SocketProtocol } from '../types.js';
import { type DiagChannel, exchangeStep, runNow } from './channel-exchange.js';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_RAW,
  IPPROTO_SCTP,
  IPPROTO_UDP,
  IPPROTO_UDPLITE,
  SOCK_DIAG_BY_FAMILY,
  TCPDIAG_GETSOCK,
} from './constants.js';
import { DumpInterruptedError, NetlinkError } from './errors.js';
import {
  checkInetMessage,
  decodeInetMessage,
  encodeInetDiagRequest,
  encodeTcpDiagCompatRequest,
  inetMessageInode,
} from './inet.js';
import { DUMP_FLAGS, type ExchangeResult, encodeRequest } from './message.js';
import {
  checkUnixMessage,
  decodeUnixMessage,
  encodeUnixDiagRequest,
  UNIX_SHOW,
  unixMessageInode,
} from './unix.js';

/** The socket tables, in the order a lookup asks them (commonest first). */
export type TableName = 'tcp' | 'unix' | 'udp' | 'udplite' | 'raw' | 'icmp' | 'sctp';
export const TABLE_ORDER: readonly TableName[] = [
  'tcp',
  'unix',
  'udp',
  'udplite',
  'raw',
  'icmp',
  'sctp',
];

/** An inet family a dump can be narrowed to. */
export type InetFamily = 'inet' | 'inet6';
const FAMILY_NUMBER: Readonly<Record<InetFamily, number>> = { inet: AF_INET, inet6: AF_INET6 };

/** One netlink request of a table: a table may take two (one per inet family). */
interface TableRequest {
  type: number;
  family: number;
  /** The request's payload; `localPort` narrows the dump when the request can (inet v2). */
  payload: (states: number, localPort?: number) => Uint8Array;
}

interface TableSpec {
  kind: ProcFileKind;
  protocol: SocketProtocol;
  requests: readonly TableRequest[];
  /** Asked when the first form answers an error (tcp: the per-family requests). */
  fallback?: readonly TableRequest[];
}

const v2 = (family: number, protocol: number): TableRequest => ({
  type: SOCK_DIAG_BY_FAMILY,
  family,
  payload: (states, localPort) =>
    encodeInetDiagRequest({
      family: family as 2 | 10,
      protocol,
      states,
      ...(localPort === undefined ? {} : { localPort }),
    }),
});
const both = (protocol: number) => [v2(AF_INET, protocol), v2(AF_INET6, protocol)];

export const TABLES: Readonly<Record<TableName, TableSpec>> = {
  tcp: {
    kind: 'net/tcp',
    protocol: 'tcp',
    requests: [
      {
        type: TCPDIAG_GETSOCK,
        family: 0,
        payload: (states) => encodeTcpDiagCompatRequest(states),
      },
    ],
    fallback: both(6),
  },
  unix: {
    kind: 'net/unix',
    protocol: 'unix',
    requests: [
      {
        type: SOCK_DIAG_BY_FAMILY,
        family: AF_UNIX,
        payload: (states) => encodeUnixDiagRequest({ states, show: UNIX_SHOW }),
      },
    ],
  },
  udp: { kind: 'net/udp', protocol: 'udp', requests: both(IPPROTO_UDP) },
  udplite: { kind: 'net/udp', protocol: 'udplite', requests: both(IPPROTO_UDPLITE) },
  raw: { kind: 'net/raw', protocol: 'raw', requests: both(IPPROTO_RAW) },
  // sock_diag has no handler for ICMP ping sockets: always read from /proc/<pid>/net/icmp{,6}.
  icmp: { kind: 'net/udp', protocol: 'icmp', requests: [] },
  sctp: { kind: 'net/tcp', protocol: 'sctp', requests: both(IPPROTO_SCTP) },
};

// What a kernel without the legacy TCPDIAG_GETSOCK path answers it.
const COMPAT_MISSING = new Set(['EOPNOTSUPP', 'EINVAL', 'ENOENT']);

/** Receives each decoded-or-not socket of a dump. */
export interface DumpSink {
  /** Whether to decode the socket with this inode (and cookie); decoding costs, skipping does not. */
  wants(inode: number): boolean;
  add(entry: SocketEntry): void;
  /**
   * An entry that cannot be proven (`unverified: 'row'`: /proc/net/unix rows that may be text of
   * another socket's name): not added, only held until `settle`, so that any row the kernel
   * surely wrote, in this table or another, or in a second read, comes first. A sink without
   * it drops such entries.
   */
  claim?(entry: SocketEntry): void;
  /**
   * When present, called for every (checked) message instead of `wants` and `add`: the message is
   * kept undecoded, to be decoded later (see DumpRecording).
   */
  keep?(protocol: SocketProtocol, bytes: Uint8Array, start: number, length: number): void;
}

export type { DiagChannel } from './channel-exchange.js';

/**
 * Dumps one table over `channel` into `sink`. Returns whether any part was interrupted
 * (NLM_F_DUMP_INTR), or `unsupported` when the kernel has no diag handler for it (ENOENT: the
 * raw_diag or sctp_diag module is absent; none exists for ICMP ping sockets); other errors throw.
 * With `family`, a table dumped per family asks only that family's request: the other's sockets
 * are not wanted, and each request is a walk of the kernel's whole hash table.
 */
export function* dumpTableFlow(
  channel: DiagChannel,
  table: TableName,
  states: number,
  sink: DumpSink,
  localPort?: number,
  family?: InetFamily,
): Flow<{ interrupted: boolean } | 'unsupported'> {
  const spec = TABLES[table];
  if (spec.requests.length === 0 || channel.unsupported.has(table)) return 'unsupported';
  let requests = spec.requests;
  if (spec.fallback !== undefined && channel.unsupported.has(`${table}:compat`)) {
    requests = spec.fallback;
  }
  const only = family === undefined ? undefined : FAMILY_NUMBER[family];
  let interrupted = false;
  for (let i = 0; i < requests.length; i++) {
    const request = requests[i] as TableRequest;
    // A request of one inet family (not tcp's compat form, family 0) holds no socket of the other.
    const narrowed = only !== undefined && request.family !== 0;
    if (narrowed && request.family !== only) continue;
    let result: ExchangeResult;
    try {
      result = yield* dumpOne(channel, spec, request, states, sink, localPort);
    } catch (error) {
      if (!(error instanceof NetlinkError)) throw error;
      if (
        requests === spec.requests &&
        spec.fallback !== undefined &&
        COMPAT_MISSING.has(error.code)
      ) {
        channel.unsupported.add(`${table}:compat`);
        return yield* dumpTableFlow(channel, table, states, sink, localPort, family);
      }
      // ENOENT: no handler for this family/protocol (a module not loaded, IPv6 disabled).
      if (error.code !== 'ENOENT') throw error;
      // ENOENT for the one family asked: no diag handler, or that family absent (IPv6 off). Which
      // is not told here, so the channel is not marked; this call reads the /proc/net files.
      if (narrowed) return 'unsupported';
      if (i === 0) {
        channel.unsupported.add(table);
        return 'unsupported';
      }
      continue;
    }
    interrupted ||= result.interrupted;
  }
  channel.supported.add(table);
  return { interrupted };
}

/** `dumpTableFlow` run on the calling thread. */
export function dumpTable(
  channel: DiagChannel,
  table: TableName,
  states: number,
  sink: DumpSink,
): { interrupted: boolean } | 'unsupported' {
  return runNow(dumpTableFlow(channel, table, states, sink));
}

function* dumpOne(
  channel: DiagChannel,
  spec: TableSpec,
  request: TableRequest,
  states: number,
  sink: DumpSink,
  localPort: number | undefined,
): Flow<ExchangeResult> {
  const seq = channel.nextSeq();
  const bytes = encodeRequest(request.type, DUMP_FLAGS, seq, request.payload(states, localPort));
  const { kind, protocol } = spec;
  // What differs between the unix and inet replies: the checks of a message, where its inode
  // is, and how it decodes. The rest (keep it raw, or decode it when its inode is wanted) is one.
  const check =
    protocol === 'unix'
      ? (b: Uint8Array, _view: DataView, start: number, length: number) =>
          checkUnixMessage(b, start, length)
      : (b: Uint8Array, view: DataView, start: number, length: number) =>
          checkInetMessage(b, view, start, length, kind);
  const inodeOf = protocol === 'unix' ? unixMessageInode : inetMessageInode;
  const decode =
    protocol === 'unix'
      ? (b: Uint8Array, view: DataView, start: number, length: number) =>
          decodeUnixMessage(b, view, start, length)
      : (b: Uint8Array, view: DataView, start: number) =>
          decodeInetMessage(b, view, start, protocol);
  return yield* exchangeStep(channel, {
    request: bytes,
    seq,
    kind,
    expectedType: request.type,
    onMessage: (b, view, _t, start, length) => {
      check(b, view, start, length);
      if (sink.keep !== undefined) sink.keep(protocol, b, start, length);
      else if (sink.wants(inodeOf(view, start))) sink.add(decode(b, view, start, length));
    },
  });
}

/**
 * `dumpTable`, once more when the dump was interrupted (NLM_F_DUMP_INTR); interrupted again, a
 * DumpInterruptedError carrying `partial()` (what was read, deduplicated).
 */
export function* dumpTableRetryingFlow(
  channel: DiagChannel,
  table: TableName,
  states: number,
  sink: DumpSink,
  partial: () => SocketEntry[],
  localPort?: number,
  family?: InetFamily,
): Flow<'done' | 'unsupported'> {
  for (let attempt = 0; ; attempt++) {
    const result = yield* dumpTableFlow(channel, table, states, sink, localPort, family);
    if (result === 'unsupported') return result;
    if (!result.interrupted) return 'done';
    if (attempt === 1) throw new DumpInterruptedError(table, partial());
  }
}

/** `dumpTableRetryingFlow` run on the calling thread. */
export function dumpTableRetrying(
  channel: DiagChannel,
  table: TableName,
  states: number,
  sink: DumpSink,
  partial: () => SocketEntry[],
): 'done' | 'unsupported' {
  return runNow(dumpTableRetryingFlow(channel, table, states, sink, partial));
}

/** A sink whose claims become entries when `settle` is called, once every table was read. */
export interface SettlingSink extends DumpSink {
  /**
   * Adds, for each inode still missing, the entry its claims agreed on; an inode whose claims
   * disagree (two rows that may be forged, saying different things) gets none.
   */
  settle(): void;
}

/**
 * Unproven entries by inode, each kept while every claim for its inode says the same thing;
 * null once two disagree (rows that may be forged, or a socket that changed between reads:
 * either way there is nothing to say).
 */
class Claims {
  private readonly byInode = new Map<number, SocketEntry | null>();

  add(entry: SocketEntry): void {
    const held = this.byInode.get(entry.inode);
    if (held === undefined) this.byInode.set(entry.inode, entry);
    else if (held !== null && !sameClaim(held, entry)) this.byInode.set(entry.inode, null);
  }

  /** The agreed entries, in the order their inodes were first claimed; forgets them all. */
  take(): SocketEntry[] {
    const agreed: SocketEntry[] = [];
    for (const entry of this.byInode.values()) if (entry !== null) agreed.push(entry);
    this.byInode.clear();
    return agreed;
  }
}

/** Whether two unix entries of /proc/net/unix rows say the same (the fields those rows give). */
function sameClaim(a: SocketEntry, b: SocketEntry): boolean {
  return a.state === b.state && a.type === b.type && a.path === b.path && a.abstract === b.abstract;
}

/**
 * A sink for a lookup: decodes only the wanted inodes, each once (the first sighting wins, so a
 * socket seen twice in a dump, or in two tables, is added once). Claims become entries on
 * `settle`, for the wanted inodes no table had.
 */
export function resolveSink(wanted: Set<number>, found: Map<number, SocketEntry>): SettlingSink {
  const claims = new Claims();
  return {
    wants: (inode) => wanted.has(inode) && !found.has(inode),
    add: (entry) => {
      found.set(entry.inode, entry);
    },
    claim: (entry) => claims.add(entry),
    settle: () => {
      for (const entry of claims.take()) {
        if (wanted.has(entry.inode) && !found.has(entry.inode)) found.set(entry.inode, entry);
      }
    },
  };
}

/**
 * A sink for a whole table: every socket, a repeat (same inode, or same cookie for the inode-0
 * sockets of TIME_WAIT and connection requests) left out. Claims are added on `settle`, after
 * every table, for the inodes no table had.
 */
export function listSink(entries: SocketEntry[]): SettlingSink {
  const seen = new Set<number | bigint>();
  const claims = new Claims();
  const add = (entry: SocketEntry) => {
    const key = entry.inode !== 0 ? entry.inode : entry.cookie;
    if (key !== undefined) {
      if (seen.has(key)) return;
      seen.add(key);
    }
    entries.push(entry);
  };
  return {
    wants: () => true,
    add,
    claim: (entry) => claims.add(entry),
    settle: () => {
      for (const entry of claims.take()) add(entry);
    },
  };
}

/**
 * A sink that decodes nothing: it copies each message out of the receive buffer, so a table can
 * be dumped before the inodes wanted from it are known (while a process's descriptors are still
 * being listed). `replay(sink)` then hands the messages to a real sink, in the order they came:
 * the wanted ones are decoded then, exactly as a dump straight into that sink would have.
 */
export class DumpRecording implements DumpSink {
  private bytes = new Uint8Array(64 * 1024);
  private view = new DataView(this.bytes.buffer);
  private used = 0;
  // Three numbers a message: its start and length in `bytes`, and its index in `protocols`.
  private readonly messages: number[] = [];
  private readonly protocols: SocketProtocol[] = [];

  wants(): boolean {
    return false;
  }

  add(): void {}

  keep(protocol: SocketProtocol, bytes: Uint8Array, start: number, length: number): void {
    if (this.used + length > this.bytes.length) {
      let size = this.bytes.length * 2;
      while (size < this.used + length) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    this.bytes.set(bytes.subarray(start, start + length), this.used);
    let index = this.protocols.indexOf(protocol);
    if (index < 0) index = this.protocols.push(protocol) - 1;
    this.messages.push(this.used, length, index);
    this.used += length;
  }

  /** Forgets every message, keeping the memory for the next dump. */
  reset(): void {
    this.used = 0;
    this.messages.length = 0;
  }

  /** Each kept message to `sink`, decoded when the sink wants its inode. */
  replay(sink: DumpSink): void {
    const { bytes, view, messages, protocols } = this;
    for (let i = 0; i < messages.length; i += 3) {
      const start = messages[i] as number;
      const length = messages[i + 1] as number;
      const protocol = protocols[messages[i + 2] as number] as SocketProtocol;
      if (protocol === 'unix') {
        if (sink.wants(unixMessageInode(view, start))) {
          // The message on its own: a malformed attribute's offset is then the message's, not a
          // place in this recording (which holds many datagrams' messages back to back).
          const message = bytes.subarray(start, start + length);
          const own = new DataView(message.buffer, message.byteOffset, length);
          sink.add(decodeUnixMessage(message, own, 0, length));
        }
      } else if (sink.wants(inetMessageInode(view, start))) {
        sink.add(decodeInetMessage(bytes, view, start, protocol));
      }
    }
  }
}
