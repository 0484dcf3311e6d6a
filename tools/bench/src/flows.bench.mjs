// What running a read as a flow costs: each ProcFS method is a generator run by a runner, over a
// backend. Here the same read three ways on the same live file, in one run: the ProcFS method
// (flow, runner, classification), the backend's op alone (no generator), and the bare
// openSync/readSync/closeSync floor. The difference between the first two is the flow's toll.
import { spawn } from 'node:child_process';
import { nodeBackend, ProcFS } from '@procmon/procfs';
import { readBenchArgs } from './bench-args.mjs';
import { addToSink } from './harness.mjs';
import { measureInterleaved } from './interleaved.mjs';
import { fileReadOptions, floorReadCopy } from './io-harness.mjs';
import { printHeading, Report } from './report.mjs';

const CASES = ['stat', 'environ', 'exe', 'async-stat'];
const { plan, wanted } = readBenchArgs(CASES);
const report = new Report();
const procfs = new ProcFS();
const options = fileReadOptions(plan);

// A process with a 4 KiB environment, as the other benches read.
const child = spawn('sleep', ['600'], {
  env: Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`VAR_${i}`, 'x'.repeat(50)])),
  stdio: 'ignore',
});
await new Promise((resolve) => setTimeout(resolve, 200));
const pid = child.pid;

printHeading(
  'Flows: a ProcFS read as a flow, the backend op alone, the bare floor',
  `Live files of a sleep process (pid ${pid}) with a 64-variable environment.`,
);

const op = (path) => ({ kind: 'read', path, maxBytes: procfs.maxBytes });
const size = (outcome) => (outcome.ok ? outcome.value.length : 0);

async function fileCase(name, file) {
  const rows = await measureInterleaved(
    [
      { name: `ProcFS.readFile (flow)`, run: () => procfs.readFile(pid, file).length },
      {
        name: 'nodeBackend.perform (no flow)',
        run: () => size(nodeBackend.perform(op(`${pid}/${file}`), '/proc')),
        note: 'the flow toll is the difference',
      },
      {
        name: 'openSync+readSync+closeSync floor',
        run: () => floorReadCopy(`/proc/${pid}/${file}`).length,
      },
    ],
    { ...plan, options },
  );
  report.table(name, `${file} of a live process, sync`, rows);
}

if (wanted('stat')) await fileCase('stat', 'stat');
if (wanted('environ')) await fileCase('environ', 'environ');
if (wanted('exe')) {
  const rows = await measureInterleaved(
    [
      { name: 'ProcFS.readLink (flow)', run: () => procfs.readLink(pid, 'exe').length },
      {
        name: 'nodeBackend.perform (no flow)',
        run: () => size(nodeBackend.perform({ kind: 'readlink', path: `${pid}/exe` }, '/proc')),
      },
    ],
    { ...plan, options },
  );
  report.table('exe', 'exe link of a live process, sync', rows);
}
if (wanted('async-stat')) {
  const rows = await measureInterleaved(
    [
      {
        name: 'ProcFS.promises.readFile (flow)',
        run: async () => (await procfs.promises.readFile(pid, 'stat')).length,
        isAsync: true,
      },
      {
        name: 'nodeBackend.performAsync (no flow)',
        run: async () => size(await nodeBackend.performAsync(op(`${pid}/stat`), '/proc')),
        isAsync: true,
      },
    ],
    { ...plan, options },
  );
  report.table('async-stat', 'stat of a live process, async (one awaited read)', rows);
}

addToSink(0);
child.kill();
report.finish();
