// The connector source under a fork storm on both cores: events delivered, events lost, CPU of
// the reader thread and of the main thread per 1,000 events, and the delay from the kernel's
// timestamp to the sink (median, 99th percentile). Not a test: it burns CPU and its figures
// depend on the machine (and on whatever else runs on it). As root, from the package folder
// after `pnpm build`:
//   node test/connector-load.mjs [forks per core=1000] [receive buffer bytes=4194304] [batch delay µs=0]
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { openConnectorSource } from '../dist/index.js';

const forks = Number(process.argv[2] ?? 1000);
const receiveBufferBytes = Number(process.argv[3] ?? 4 * 1024 * 1024);
const batchDelayMicros = Number(process.argv[4] ?? 0);
const TICK_MS = 10; // USER_HZ 100

/** utime + stime of one thread, in clock ticks (fields 14 and 15 of its stat). */
function ticks(tid) {
  const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

const before = new Set(readdirSync('/proc/self/task'));
const delays = [];
const losses = { overrun: 0, 'sequence-gap': 0, 'queue-full': 0 };
let events = 0;
const source = openConnectorSource(
  {
    push(event) {
      events++;
      if (event.type === 'lost') losses[event.reason] += event.count ?? 1;
      else delays.push(Number(process.hrtime.bigint() - event.timestampNs));
    },
    fail(error) {
      console.error('failed:', error);
    },
  },
  { receiveBufferBytes, batchDelayMicros },
);
const reader = readdirSync('/proc/self/task').find((tid) => !before.has(tid));
const start = { reader: ticks(reader), main: ticks(process.pid) };

const storm = `for i in $(seq ${forks}); do /bin/true & done; wait`;
await Promise.all(
  [0, 1].map(
    () =>
      new Promise((resolve) => spawn('sh', ['-c', storm], { stdio: 'ignore' }).on('exit', resolve)),
  ),
);
await new Promise((resolve) => setTimeout(resolve, 300));
const end = { reader: ticks(reader), main: ticks(process.pid) };
source.close();

delays.sort((a, b) => a - b);
const quantile = (q) => (delays[Math.floor(q * (delays.length - 1))] / 1e6).toFixed(2);
const per1000 = (spent) => ((spent * TICK_MS) / (events / 1000)).toFixed(1);
console.log(
  JSON.stringify({
    forks: 2 * forks,
    receiveBufferBytes,
    batchDelayMicros,
    events,
    losses,
    readerThreadCpuMsPer1000Events: per1000(end.reader - start.reader),
    mainThreadCpuMsPer1000Events: per1000(end.main - start.main),
    delayMs: { median: quantile(0.5), p99: quantile(0.99) },
  }),
);
