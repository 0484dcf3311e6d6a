// What `procmon net` takes from the command line, checked before any of its code loads: protocol
// and state lists, ports, and the shape of `net owner`'s endpoints (`10.0.0.2:51000`,
// `[::1]:443`). Whether an endpoint's address is one is @procmon/netsock's to say (its
// checkQuery, asked by net-owner.ts once it is loaded): one rule for the library and the tool.
import { InvalidArgumentError } from 'commander';
import { listOf } from './arguments.js';

/** The protocols `procmon net --proto` knows, as the socket tables name them. */
export const NET_PROTOCOLS = ['tcp', 'udp', 'udplite', 'raw', 'icmp', 'sctp', 'unix'] as const;
export type NetProtocol = (typeof NET_PROTOCOLS)[number];

/** The protocols a connection can be asked about by its tuple (the kernel's exact lookup). */
export const OWNER_PROTOCOLS = ['tcp', 'udp', 'udplite'] as const;
export type OwnerProtocol = (typeof OWNER_PROTOCOLS)[number];

/** An address and port as the command line gave them; the address in its plain form. */
export interface Endpoint {
  address: string;
  port: number;
}

/** Commander's parser for `--proto tcp,udp`. */
export function parseProtocolList(value: string): NetProtocol[] {
  return listOf(value, 'protocol').map((item) => {
    const name = item.toLowerCase();
    const known = NET_PROTOCOLS.find((protocol) => protocol === name);
    if (known === undefined) {
      throw new InvalidArgumentError(
        `"${item}" is not a protocol; known: ${NET_PROTOCOLS.join(', ')}`,
      );
    }
    return known;
  });
}

/**
 * Commander's parser for `--state listen,established`: state names as the kernel gives them
 * (`ESTABLISHED`, `TIME_WAIT`, ...), case-insensitive, `-` taken for `_`; `unconn` for an
 * unconnected datagram socket (shown as UNCONN). Unknown names are not refused here: each table
 * has its own states, and a name no socket has simply matches nothing.
 */
export function parseStateList(value: string): string[] {
  return listOf(value, 'state').map((item) => {
    if (!/^[A-Za-z_-]+$/.test(item))
      throw new InvalidArgumentError(`"${item}" is not a state name`);
    return item.toUpperCase().replaceAll('-', '_');
  });
}

/** Commander's parser for `--port 443`: a port, local or remote. */
export function parsePort(value: string): number {
  const port = portOf(value);
  if (port === undefined) {
    throw new InvalidArgumentError(`"${value}" is not a port (an integer from 1 to 65535)`);
  }
  return port;
}

/** Commander's parser for `net owner`'s protocol. */
export function parseOwnerProtocol(value: string): OwnerProtocol {
  const name = value.toLowerCase();
  const known = OWNER_PROTOCOLS.find((protocol) => protocol === name);
  if (known === undefined) {
    throw new InvalidArgumentError(
      `"${value}" cannot be looked up by its addresses; one of: ${OWNER_PROTOCOLS.join(', ')}`,
    );
  }
  return known;
}

/**
 * Commander's parser for an endpoint's shape: `address:port`, an IPv6 address in brackets (its
 * own colons would hide the port), a port from 1 to 65535, no zone (`%eth0`: the socket tables
 * hold addresses without one). The address itself is checked by net-owner.ts.
 */
export function parseEndpoint(value: string): Endpoint {
  const bracketed = /^\[([^\]]*:[^\]]*)\]:(\d+)$/.exec(value);
  const plain = /^([^:[\]]+):(\d+)$/.exec(value);
  const [, address, portText] = bracketed ?? plain ?? [];
  if (address === undefined || portText === undefined) {
    throw new InvalidArgumentError(
      `"${value}" is not an address and port (127.0.0.1:5432, or [::1]:443 for IPv6)`,
    );
  }
  if (address.includes('%')) {
    throw new InvalidArgumentError(
      `"${value}" has a zone (${address.slice(address.indexOf('%'))}): give the address without it`,
    );
  }
  const port = portOf(portText);
  if (port === undefined) {
    throw new InvalidArgumentError(`"${value}" has no valid port (an integer from 1 to 65535)`);
  }
  return { address, port };
}

function portOf(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text) || (text.length > 1 && text.startsWith('0'))) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}
