// Where the garbage of a scan comes from (issues #15 and #12): `scanProcesses` with 1,000 extra
// processes, each row in a node of its own (src/gc-scan.mjs): the scan's time, the time V8 spent
// collecting garbage during it and how many collections of each kind, the JavaScript heap bytes
// it allocated per process (V8's sampling heap profiler, objects collected since included) with
// the functions that allocated most, and how many ArrayBuffers its reads' bytes came in. A read's
// bytes live outside the JavaScript heap, so they add to a collection only through the number of
// their buffers: the last two columns tell that cost from the parsers' and the flows' own garbage.
// Rows: `procmon ps`'s fields (path, args, status) per backend; the same without status (what the
// parsed status costs); and under a larger young generation (what V8's default of 16 MiB costs).
// Usage: node src/gc.bench.mjs [--quick]   (pnpm -F @procmon/bench bench:gc)
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { readBenchArgs } from './bench-args.mjs';
import { environmentLine } from './harness.mjs';
import { startCrowd, stopCrowd } from './process-children.mjs';

const CROWD = 1000;
const { quick } = readBenchArgs();
const SCANS = quick ? 5 : 30;
const SCAN = fileURLToPath(new URL('gc-scan.mjs', import.meta.url));
// What `procmon ps` asks a scan for (tools/cli/src/ps-command.ts).
const PS_FIELDS = 'path,args,status';
const LARGE_YOUNG = '--max-semi-space-size=64';

const ROWS = [
  { label: 'native, ps fields', backend: 'native', fields: PS_FIELDS, flags: [], showTop: true },
  { label: 'node, ps fields', backend: 'node', fields: PS_FIELDS, flags: [], showTop: true },
  { label: 'native, path and args (no status)', backend: 'native', fields: 'path,args', flags: [] },
  {
    label: `native, ps fields, \`node ${LARGE_YOUNG}\``,
    backend: 'native',
    fields: PS_FIELDS,
    flags: [LARGE_YOUNG],
  },
];

function measureRow(row) {
  const run = spawnSync(
    process.execPath,
    [...row.flags, SCAN, row.backend, row.fields, String(SCANS)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (run.status !== 0) throw new Error(`${row.label}: gc-scan.mjs exited ${run.status}`);
  return { ...row, ...JSON.parse(run.stdout.trim().split('\n').pop()) };
}

const fixed = (value, digits = 1) => value.toFixed(digits);

function printTables(rows) {
  console.log(
    `\n${CROWD.toLocaleString('en-US')} extra processes; per row, in a node of its own, ${SCANS} scans after 5 untimed.\n`,
  );
  console.log(
    '| row | processes | scan ms (median) | GC ms per scan | minor GCs per scan | major GCs per scan | JS heap KiB allocated per process | ArrayBuffers of read bytes per process |',
  );
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|');
  for (const r of rows) {
    if (r.skipped) {
      console.log(`| ${r.label} | skipped: ${r.skipped} |||||||`);
      continue;
    }
    console.log(
      `| ${r.label} | ${r.processes} | ${fixed(r.medianMs)} | ${fixed(r.gcMs)} | ${fixed(r.minor, 2)} | ${fixed(r.major, 2)} | ${fixed(r.heapPerProcess / 1024)} | ${fixed(r.buffersPerProcess, 2)} |`,
    );
  }
  for (const r of rows.filter((row) => row.showTop && !row.skipped)) {
    console.log(`\nTop allocators, ${r.label} (of the JS heap bytes a scan allocates):\n`);
    console.log('| function | KiB per process | share |');
    console.log('|---|--:|--:|');
    for (const { name, perProcess, share } of r.top) {
      console.log(`| \`${name}\` | ${fixed(perProcess / 1024, 2)} | ${fixed(share * 100)}% |`);
    }
  }
}

async function main() {
  console.log('## Garbage of a scan: `scanProcesses`, 1,000 extra processes\n');
  console.log(environmentLine());
  console.log(
    `load average at the start (1, 5, 15 min): ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
  const crowd = await startCrowd(CROWD);
  try {
    printTables(ROWS.map(measureRow));
  } finally {
    stopCrowd(crowd);
  }
  console.log(
    `\nload average at the end (1, 5, 15 min): ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
}

await main();
