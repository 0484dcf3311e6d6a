// A quick side-by-side of the two backends (the full table is tools/bench): ns per
// `procfs.readFile(pid, 'environ')` and per `await procfs.promises.readFile(pid, 'environ')`, on a
// live child with a 4 KiB environment, node:fs against the native addon. Needs `pnpm build`.
// Usage: node scripts/measure.mjs [iterations]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
if (!existsSync(dist)) throw new Error(`${dist} is missing: run pnpm build first`);
const { ProcFS, nativeBackend, nodeBackend, procfsBackend } = await import(dist);

const iterations = Number(process.argv[2] ?? 20_000);
const child = spawn('sleep', ['1000'], { env: { FILLER: 'x'.repeat(4096 - 8) }, stdio: 'ignore' });
await new Promise((resolve) => setTimeout(resolve, 200));
const pid = child.pid;

const native = nativeBackend();
if (!native) throw new Error(`no native backend: ${procfsBackend().reason}`);
const faces = {
  node: new ProcFS({ backend: nodeBackend }),
  native: new ProcFS({ backend: native }),
};
const length = faces.native.readFile(pid, 'environ').length;

/** Median of five runs of `iterations` calls: ns per call. */
async function nsPerCall(run) {
  for (let i = 0; i < 1000; i++) await run(); // warm-up
  const runs = [];
  for (let r = 0; r < 5; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await run();
    runs.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  return runs.sort((a, b) => a - b)[2];
}

const syncCall = (procfs) => () => procfs.readFile(pid, 'environ');
const asyncCall = (procfs) => () => procfs.promises.readFile(pid, 'environ');
const rows = [];
for (const [label, call] of [
  ['readFile(pid, "environ")', syncCall],
  ['await promises.readFile(pid, "environ")', asyncCall],
]) {
  // A sync call awaited costs a microtask on both sides alike; the sync loop skips it.
  const node = call === syncCall ? syncLoop(call(faces.node)) : await nsPerCall(call(faces.node));
  const ours =
    call === syncCall ? syncLoop(call(faces.native)) : await nsPerCall(call(faces.native));
  rows.push({
    call: label,
    'node ns/op': Math.round(node),
    'native ns/op': Math.round(ours),
    'node/native': (node / ours).toFixed(2),
  });
}
child.kill();
console.log(`environ of pid ${pid}: ${length} bytes, ${iterations} calls x 5 runs (median)`);
console.table(rows);

function syncLoop(run) {
  for (let i = 0; i < 1000; i++) run();
  const runs = [];
  for (let r = 0; r < 5; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) run();
    runs.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  return runs.sort((a, b) => a - b)[2];
}
