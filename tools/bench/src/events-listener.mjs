// procmon's listener in the events bench, run in a child node process of its own so its CPU
// time (process.cpuUsage) is its alone. It opens @procmon/events from the given built module,
// counts what it is given through the emitter and the delay from the kernel's timestamp to
// delivery, and when a line `stop` arrives on stdin, closes and prints one JSON summary.
//
// Usage: node events-listener.mjs EVENTS_DIST_INDEX [--buffer RECEIVE_BUFFER_BYTES] [--enrich]
// stdout: a first JSON line {ready, pid, source} once listening (or {error}), then the summary.
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { print, Tally } from './events-tally.mjs';

const [modulePath, ...flags] = process.argv.slice(2);
const bufferAt = flags.indexOf('--buffer');
const bufferArg = bufferAt >= 0 ? flags[bufferAt + 1] : undefined;
const enrich = flags.includes('--enrich');

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
if (enrich) options.enrich = true;
let events;
try {
  events = api.openProcessEvents(options);
} catch (error) {
  print({
    error: `openProcessEvents({ source: 'connector' }) threw ${error.code ?? ''} ${error.message}`,
  });
  process.exit(1);
}

const tally = new Tally();
let failure;
events.on('error', (error) => {
  failure = `${error.code ?? error.name}: ${error.message}`;
});
events.on('event', (event) => {
  const now = process.hrtime.bigint();
  switch (event.type) {
    case 'fork':
      tally.event(
        'fork',
        event.childPid === event.childTgid ? event.childPid : undefined,
        now,
        event.timestampNs,
      );
      break;
    case 'exec':
      tally.event('exec', event.pid, now, event.timestampNs);
      if (enrich) tally.execDetails.push(detailsRead(event.details));
      break;
    case 'exit':
      tally.event('exit', event.pid === event.tgid ? event.pid : undefined, now, event.timestampNs);
      break;
    case 'lost':
      tally.loss(event.reason, event.count);
      break;
    case 'resync':
      tally.counts.resync++;
      break;
    default:
      tally.event(event.type, undefined, now, event.timestampNs);
  }
});

/** How much enrichment read: all of it, some (the rest gone or not permitted), or nothing. */
function detailsRead(details) {
  if (!details) return 'none';
  const missing = Object.keys(details.missing).length;
  if (missing === 0) return 'complete';
  return details.path === undefined && details.args === undefined && details.ppid === undefined
    ? 'none'
    : 'partial';
}

print({ ready: true, pid: process.pid, source: events.source });
const cpuStart = process.cpuUsage();

// The bench's end of stdin closing (it stopped or died) ends this listener too.
const input = createInterface({ input: process.stdin });
input.on('close', () => process.exit(0));
input.on('line', (line) => {
  if (line.trim() !== 'stop') return;
  const cpu = process.cpuUsage(cpuStart);
  events.close();
  print(tally.summary(cpu, { failure }));
  process.exit(0);
});
