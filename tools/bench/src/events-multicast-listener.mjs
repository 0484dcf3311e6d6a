// The floor under procmon's listener in the events bench: netsock's bare multicast reader on the
// proc connector (the same native reader thread and delivery to JS that @procmon/events uses),
// with only the fields the bench counts read from each datagram by hand (no decoder, no
// events made, no picture of running processes). In a child node of its own, like procmon's.
//
// Usage: node events-multicast-listener.mjs NETSOCK_DIST_NETLINK
// stdout: {ready, pid, source} (or {error}), then after a `stop` line on stdin the summary.
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { print, Tally } from './events-tally.mjs';

const NETLINK_CONNECTOR = 11;
const CN_IDX_PROC = 1;
// struct proc_event `what` (linux/cn_proc.h).
const WHAT = { 1: 'fork', 2: 'exec', 2147483648: 'exit' };
// nlmsghdr (16) + cn_msg (20), then proc_event: what, cpu, timestamp_ns, then the union.
const EVENT = 36;
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

let netlink;
try {
  netlink = await import(pathToFileURL(process.argv[2]).href);
} catch (error) {
  print({ error: `cannot load ${process.argv[2]}: ${error.message}` });
  process.exit(1);
}
if (typeof netlink.openMulticast !== 'function') {
  print({ error: '@procmon/netsock/netlink exports no openMulticast on this branch' });
  process.exit(1);
}

const tally = new Tally();
let failure;

function onDatagram(bytes) {
  const now = process.hrtime.bigint();
  if (bytes.length < EVENT + 16) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = WHAT[view.getUint32(EVENT, littleEndian)];
  if (view.getUint32(EVENT, littleEndian) === 0) return; // the answer to LISTEN
  const timestampNs = view.getBigUint64(EVENT + 8, littleEndian);
  const data = EVENT + 16;
  let pid;
  if (type === 'fork' && bytes.length >= data + 16) {
    const child = view.getUint32(data + 8, littleEndian);
    if (child === view.getUint32(data + 12, littleEndian)) pid = child;
  } else if ((type === 'exec' || type === 'exit') && bytes.length >= data + 8) {
    const task = view.getUint32(data, littleEndian);
    if (type === 'exec' || task === view.getUint32(data + 4, littleEndian)) pid = task;
  }
  tally.event(type ?? 'other', pid, now, timestampNs);
}

/** PROC_CN_MCAST_LISTEN (1) or IGNORE (2) for our port: nlmsghdr + cn_msg + u32 op. */
function request(portId, op) {
  const bytes = new Uint8Array(40);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 40, littleEndian);
  view.setUint16(4, 3, littleEndian); // NLMSG_DONE
  view.setUint32(12, portId, littleEndian);
  view.setUint32(16, CN_IDX_PROC, littleEndian);
  view.setUint32(20, 1, littleEndian); // CN_VAL_PROC
  view.setUint16(32, 4, littleEndian);
  view.setUint32(36, op, littleEndian);
  return bytes;
}

let subscription;
try {
  subscription = netlink.openMulticast({
    protocol: NETLINK_CONNECTOR,
    groups: [CN_IDX_PROC],
    onDatagram,
    onLoss: (loss) => tally.loss(loss.reason, loss.count),
    onError: (error) => {
      failure = `${error.code}: ${error.message}`;
    },
  });
  subscription.send(request(subscription.portId, 1));
} catch (error) {
  print({
    error: `openMulticast on the proc connector threw ${error.code ?? ''} ${error.message}`,
  });
  process.exit(1);
}

print({
  ready: true,
  pid: process.pid,
  source: { kind: 'multicast', reason: 'netsock openMulticast' },
});
const cpuStart = process.cpuUsage();

// The bench's end of stdin closing (it stopped or died) ends this listener too.
const input = createInterface({ input: process.stdin });
input.on('close', () => process.exit(0));
input.on('line', (line) => {
  if (line.trim() !== 'stop') return;
  const cpu = process.cpuUsage(cpuStart);
  subscription.send(request(subscription.portId, 2));
  subscription.close();
  print(tally.summary(cpu, { failure }));
  process.exit(0);
});
