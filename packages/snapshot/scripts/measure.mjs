// Times a capture of this whole machine and the reading back of it (not a test: figures for the
// README and reports). Run after `pnpm build`: node scripts/measure.mjs [runs] [--env]
import { readdirSync } from 'node:fs';
import { ProcFS } from '@procmon/procfs';
import { captureSnapshot, readSnapshot, snapshotBackend } from '../dist/index.js';

const runs = Number(process.argv[2] ?? 5);
const env = process.argv.includes('--env');
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const capture = [];
const read = [];
let last;
for (let i = 0; i < runs; i++) {
  let start = performance.now();
  const bytes = await captureSnapshot({ env });
  capture.push(performance.now() - start);
  start = performance.now();
  const snapshot = await readSnapshot(bytes);
  read.push(performance.now() - start);
  last = { bytes, snapshot };
}
const { bytes, snapshot } = last;
const offline = new ProcFS({ backend: snapshotBackend(snapshot) });
const { scanProcesses } = await import('@procmon/process').catch(() => ({}));
let scan;
if (scanProcesses) {
  const start = performance.now();
  scan = scanProcesses({ procfs: offline, fields: ['path', 'args', 'cwd', 'uids'] }).length;
  scan = { rows: scan, ms: (performance.now() - start).toFixed(1) };
}
console.log({
  processesNow: readdirSync('/proc').filter((name) => /^[0-9]+$/.test(name)).length,
  captured: snapshot.manifest.pids.length,
  vanished: snapshot.manifest.vanished.length,
  failures: snapshot.manifest.failures.length,
  env,
  runs,
  captureMsMedian: median(capture).toFixed(1),
  captureMsAll: capture.map((t) => t.toFixed(0)).join(' '),
  readMsMedian: median(read).toFixed(1),
  gzipBytes: bytes.length,
  offlineScan: scan,
});
