// `procmon net` and `procmon net owner`, run as the built binary against sockets this test's
// children open: a TCP listener and a client connected to it, and an unconnected UDP socket.
// Known truth: the ports the children report, and each child's own fd links read here.
import { type ChildProcess, spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, firstLine, trackChild } from '../../../test-support/processes.js';
import { fdsHolding } from '../../../test-support/socket-links.js';
import { procmon } from '../test/binary.js';

const nodePath = realpathSync(process.execPath);

/** A node child running `script`; resolves with it and the first line it prints. */
async function start(script: string): Promise<{ child: ChildProcess; line: string }> {
  const child = trackChild(
    spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  return { child, line: await firstLine(child) };
}

/** The fd numbers of a process that link to `socket:[inode]`, read here. */
/** The table of `procmon net`'s text: its header and rows, without the note on unreadable processes. */
const tableLines = (stdout: string): string[] =>
  stdout
    .trimEnd()
    .split('\n')
    .filter((line) => !line.startsWith('the descriptors of '));

interface JsonSocket {
  socket: {
    protocol: string;
    state: string;
    inode: number;
    localAddress: string;
    localPort: number;
    remoteAddress: string;
    remotePort: number;
  };
  holders: { pid: number; fd: number; startTime: number; program?: { path: string } }[];
}

let listener: ChildProcess;
let client: ChildProcess;
let datagram: ChildProcess;
let listenPort: number;
let clientPort: number;
let udpPort: number;

beforeAll(async () => {
  // Listens on loopback, keeps every connection, says its port.
  const listening = await start(
    "const kept = []; const s = require('net').createServer((c) => kept.push(c)).listen(0, '127.0.0.1', () => console.log(s.address().port))",
  );
  listener = listening.child;
  listenPort = Number(listening.line);
  // Connects to it and says its own port.
  const connected = await start(
    `const c = require('net').connect(${listenPort}, '127.0.0.1', () => console.log(c.localPort))`,
  );
  client = connected.child;
  clientPort = Number(connected.line);
  const bound = await start(
    "const u = require('dgram').createSocket('udp4'); u.bind(0, '127.0.0.1', () => console.log(u.address().port))",
  );
  datagram = bound.child;
  udpPort = Number(bound.line);
});

afterAll(cleanup);

describe('procmon net', () => {
  it('lists the listener, both ends of the connection and the UDP socket with their holders', () => {
    const result = procmon(['net', '--json', '--proto', 'tcp,udp']);
    expect(result.status, `${result.signal ?? ''} ${result.stderr}`).toBe(0);
    const sockets: JsonSocket[] = JSON.parse(result.stdout).sockets;
    const find = (test: (s: JsonSocket['socket']) => boolean) => {
      const found = sockets.filter((entry) => test(entry.socket));
      expect(found).toHaveLength(1);
      return found[0] as JsonSocket;
    };
    const cases: [JsonSocket, ChildProcess][] = [
      [
        find((s) => s.protocol === 'tcp' && s.state === 'LISTEN' && s.localPort === listenPort),
        listener,
      ],
      [
        find(
          (s) => s.protocol === 'tcp' && s.localPort === clientPort && s.remotePort === listenPort,
        ),
        client,
      ],
      [
        find(
          (s) => s.protocol === 'tcp' && s.localPort === listenPort && s.remotePort === clientPort,
        ),
        listener,
      ],
      [find((s) => s.protocol === 'udp' && s.localPort === udpPort), datagram],
    ];
    for (const [entry, holder] of cases) {
      const pid = holder.pid as number;
      expect(entry.holders.map((h) => [h.pid, h.fd])).toEqual(
        fdsHolding(pid, entry.socket.inode).map((fd) => [pid, fd]),
      );
      expect(entry.holders[0]?.program?.path).toBe(nodePath);
    }
  });

  it('shows rows in the ss order with the holder, program last', () => {
    const result = procmon([
      'net',
      '--proto',
      'tcp',
      '--state',
      'listen',
      '--port',
      String(listenPort),
    ]);
    expect(result.status, result.stderr).toBe(0);
    const [header, ...rows] = tableLines(result.stdout);
    expect(header?.split(/ +/)).toEqual([
      'PROTO',
      'STATE',
      'LOCAL',
      'REMOTE',
      'PID',
      'FD',
      'USER',
      'PROGRAM',
    ]);
    expect(rows).toHaveLength(1);
    const cells = rows[0]?.split(/ +/);
    expect(cells?.slice(0, 5)).toEqual([
      'tcp',
      'LISTEN',
      `127.0.0.1:${listenPort}`,
      '*:*',
      String(listener.pid),
    ]);
    expect(cells?.at(-1)).toBe(nodePath);
  });

  it('keeps only the sockets of the processes asked for (-p), and UNCONN for the UDP socket', () => {
    const result = procmon(['net', '-p', String(datagram.pid), '--proto', 'udp']);
    expect(result.status, result.stderr).toBe(0);
    const rows = tableLines(result.stdout).slice(1);
    expect(rows.map((row) => row.split(/ +/).slice(0, 5))).toEqual([
      ['udp', 'UNCONN', `127.0.0.1:${udpPort}`, '*:*', String(datagram.pid)],
    ]);
  });

  it.each([
    [['net', '--proto', 'tcpx'], /"tcpx" is not a protocol/],
    [['net', '--port', '0'], /"0" is not a port/],
    [['net', '--port', '70000'], /"70000" is not a port/],
    [['net', '-u', 'no-such-user-here'], /no user is named "no-such-user-here"/],
    [['net', 'owner', 'icmp', '127.0.0.1:1'], /"icmp" cannot be looked up/],
    [['net', 'owner', 'tcp', '::1:80'], /"::1:80" is not an address and port/],
    [['net', 'owner', 'tcp', '[127.0.0.1]:80'], /is not an address and port/],
    [['net', 'owner', 'tcp', '127.0.0.1:080'], /has no valid port/],
    // A wildcard remote side names no peer (the kernel's lookup would refuse it as a bug).
    [['net', 'owner', 'tcp', '127.0.0.1:80', '0.0.0.0:5'], /"0\.0\.0\.0:5" is the wildcard/],
    [['net', 'owner', 'tcp', '[::1]:80', '[0::0]:5'], /"\[0::0\]:5" is the wildcard/],
    [['net', 'owner', 'udp', '[::ffff:1.2.3.4]:80', '[::ffff:0.0.0.0]:5'], /is the wildcard/],
    // A zone names an interface, not part of an address the socket tables hold.
    [['net', 'owner', 'tcp', '[fe80::1%eth0]:1'], /"\[fe80::1%eth0\]:1" has a zone/],
    // Whether an address is one is netsock's rule (checkQuery), the library's own.
    [['net', 'owner', 'tcp', 'foo:80'], /"foo:80" is not an address and port/],
    [['net', 'owner', 'tcp', '1.2.3.256:80'], /"1\.2\.3\.256:80" is not an address and port/],
    [
      ['net', 'owner', 'tcp', '127.0.0.1:80', '[::1]:5'],
      /remoteAddress ::1 is IPv6, but localAddress 127\.0\.0\.1 is IPv4/,
    ],
  ])('refuses %j as a usage error (status 2)', (args, message) => {
    const result = procmon(args);
    expect(result.stderr).toMatch(message);
    expect(result.status).toBe(2);
  });
});

describe('procmon net as uid 65534', () => {
  const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];

  it("lists root's listener with no holder, and says whose descriptors it could not read", () => {
    const args = ['net', '--proto', 'tcp', '--state', 'listen', '--port', String(listenPort)];
    const json = procmon([...args, '--json'], asNobody);
    expect(json.status, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.sockets).toHaveLength(1);
    expect(report.sockets[0].holders).toEqual([]);
    expect(report.unreadable).toContain(listener.pid);
    const text = procmon(args, asNobody);
    expect(text.status, text.stderr).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[1]?.split(/ +/).slice(0, 6)).toEqual([
      'tcp',
      'LISTEN',
      `127.0.0.1:${listenPort}`,
      '*:*',
      '-',
      '-',
    ]);
    expect(lines.at(-1)).toMatch(
      /^the descriptors of \d+ process(es)? could not be read \(pid .*\): a socket shown without a holder may be held by one of them$/,
    );
  });
});

describe('procmon net owner', () => {
  it('names the client from the tuple the listener sees', () => {
    const result = procmon([
      'net',
      'owner',
      'tcp',
      `127.0.0.1:${clientPort}`,
      `127.0.0.1:${listenPort}`,
      '--json',
    ]);
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    const pid = client.pid as number;
    expect(report.socket.state).toBe('ESTABLISHED');
    expect(report.holders.map((h: { pid: number; fd: number }) => [h.pid, h.fd])).toEqual(
      fdsHolding(pid, report.socket.inode).map((fd) => [pid, fd]),
    );
  });

  it('answers for an unconnected UDP socket by its local address and port, in text', () => {
    const result = procmon(['net', 'owner', 'udp', `127.0.0.1:${udpPort}`]);
    expect(result.status, result.stderr).toBe(0);
    const [head, header, row] = result.stdout.trimEnd().split('\n');
    expect(head).toMatch(
      new RegExp(`^udp 127\\.0\\.0\\.1:${udpPort} -> \\*:\\* UNCONN  inode \\d+  user `),
    );
    expect(header?.trim().split(/ +/)).toEqual(['PID', 'FD', 'USER', 'PROGRAM']);
    expect(row?.trim().split(/ +/)[0]).toBe(String(datagram.pid));
    expect(row?.endsWith(nodePath)).toBe(true);
  });

  it("as uid 65534, names no holder of root's connection and says it may not read them", () => {
    const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
    const tuple = [`127.0.0.1:${clientPort}`, `127.0.0.1:${listenPort}`];
    const result = procmon(['net', 'owner', 'tcp', ...tuple, '--json'], asNobody);
    expect(result.status, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.socket.state).toBe('ESTABLISHED');
    expect(report.holders).toEqual([]);
    expect(report.reason).toBe('not-permitted');
    // The client that holds it is root's: among the processes it could not read.
    expect(report.unreadable).toContain(client.pid);
  });

  it('takes an IPv4-mapped address in any spelling, as netsock reads it', () => {
    const result = procmon(['net', 'owner', 'tcp', '[::ffff:7f00:1]:1', '[::ffff:127.0.0.1]:2']);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/: the kernel has no such socket/);
  });

  it('exits 1 and says why when no socket has the tuple', () => {
    const result = procmon(['net', 'owner', 'tcp', '127.0.0.1:1', '127.0.0.1:2']);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^tcp 127\.0\.0\.1:1 -> 127\.0\.0\.1:2: /);
  });
});
