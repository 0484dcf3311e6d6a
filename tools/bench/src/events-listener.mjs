// procmon's listener in the events bench, run in a child node process of its own so its CPU
// time (process.cpuUsage) is its alone. It opens @procmon/events from the given built module,
// counts what it is given through the emitter and the delay from the kernel's timestamp to
// delivery, and when a line `stop` arrives on stdin, closes and prints one JSON summary.
//
// Usage: node events-listener.mjs EVENTS_DIST_INDEX [RECEIVE_BUFFER_BYTES]
// stdout: a first JSON line {ready, pid, source} once listening (or {error}), then the summary.
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const [modulePath, bufferArg] = process.argv.slice(2);
const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

let api;
try {
  api = await import(pathToFileURL(modulePath).href);
} catch (error) {
  print({ error: `cannot load ${modulePath}: ${error.message}` });
  process.exit(1);
}
if (typeof api.openProcessEvents !== 'function') {
  print({ error: '@procmon/events exports no openProcessEvents on this branch' });
  process.exit(1);
}

const options = { source: 'connector' };
if (bufferArg) options.receiveBufferBytes = Number(bufferArg);
let events;
try {
  events = api.openProcessEvents(options);
} catch (error) {
  print({
    error: `openProcessEvents({ source: 'connector' }) threw ${error.code ?? ''} ${error.message}`,
  });
  process.exit(1);
}

const counts = { fork: 0, exec: 0, exit: 0, other: 0, lost: 0, resync: 0 };
const lost = { overrun: 0, 'sequence-gap': 0, 'queue-full': 0, counted: 0 };
// Child pids of process forks, pids of execs and of process exits: the bench matches them
// against the storm's own list of children.
const forkPids = [];
const execPids = [];
const exitPids = [];
let delays = new Float64Array(1 << 16);
let delayCount = 0;
let failure;

events.on('error', (error) => {
  failure = `${error.code ?? error.name}: ${error.message}`;
});
events.on('event', (event) => {
  const now = process.hrtime.bigint();
  switch (event.type) {
    case 'fork':
      counts.fork++;
      if (event.childPid === event.childTgid) forkPids.push(event.childPid);
      break;
    case 'exec':
      counts.exec++;
      execPids.push(event.pid);
      break;
    case 'exit':
      counts.exit++;
      if (event.pid === event.tgid) exitPids.push(event.pid);
      break;
    case 'lost':
      counts.lost++;
      lost[event.reason]++;
      lost.counted += event.count ?? 0;
      return;
    case 'resync':
      counts.resync++;
      return;
    default:
      counts.other++;
  }
  if (delayCount === delays.length) {
    const bigger = new Float64Array(delays.length * 2);
    bigger.set(delays);
    delays = bigger;
  }
  delays[delayCount++] = Number(now - event.timestampNs);
});

print({ ready: true, pid: process.pid, source: events.source });
const cpuStart = process.cpuUsage();

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'stop') return;
  const cpu = process.cpuUsage(cpuStart);
  events.close();
  const sorted = delays.subarray(0, delayCount).sort();
  const at = (q) =>
    delayCount === 0 ? null : sorted[Math.min(delayCount - 1, Math.floor(q * delayCount))];
  print({
    counts,
    lost,
    failure,
    cpuMs: (cpu.user + cpu.system) / 1000,
    delayNs: {
      median: at(0.5),
      p99: at(0.99),
      max: delayCount ? sorted[delayCount - 1] : null,
      samples: delayCount,
    },
    forkPids,
    execPids,
    exitPids,
  });
  process.exit(0);
});
