// A quick side-by-side of the two backends (the full table is tools/bench): ns per
// `procfs.readFile(pid, 'environ')` and per `await procfs.promises.readFile(pid, 'environ')`, on a
// live child with a 4 KiB environment, node:fs against the native addon; and an async step of
// four reads (environ, cmdline, stat, status) in one batch. Needs `pnpm build`.
// Usage: node scripts/measure.mjs [iterations]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
if (!existsSync(dist)) throw new Error(`${dist} is missing: run pnpm build first`);
const { ProcFS, all, nativeBackend, nodeBackend, procfsBackend } = await import(dist);

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

/**
 * Median of five runs of `iterations` calls: wall ns and CPU ns (user + system, every thread of
 * the process, libuv's pool included) per call. On a busy machine the CPU figure is the steadier.
 */
async function perCall(run, awaited) {
  for (let i = 0; i < 1000; i++) awaited ? await run() : run(); // warm-up
  const walls = [];
  const cpus = [];
  for (let r = 0; r < 5; r++) {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    if (awaited) for (let i = 0; i < iterations; i++) await run();
    else for (let i = 0; i < iterations; i++) run();
    walls.push(Number(process.hrtime.bigint() - start) / iterations);
    const used = process.cpuUsage(cpu);
    cpus.push(((used.user + used.system) * 1000) / iterations);
  }
  const median = (values) => values.sort((x, y) => x - y)[2];
  return { wall: median(walls), cpu: median(cpus) };
}

const syncCall = (procfs) => () => procfs.readFile(pid, 'environ');
const asyncCall = (procfs) => () => procfs.promises.readFile(pid, 'environ');
// Four reads in one step, as details() of @procmon/process does: one batch.
const names = ['environ', 'cmdline', 'stat', 'status'];
const batchCall = (procfs) => () =>
  procfs.runAsync(all(names.map((name) => procfs.flows.readFile(pid, name))));
const rows = [];
for (const [label, call, awaited] of [
  ['readFile(pid, "environ")', syncCall, false],
  ['await promises.readFile(pid, "environ")', asyncCall, true],
  ['await runAsync(all(4 readFile flows))', batchCall, true],
]) {
  const node = await perCall(call(faces.node), awaited);
  const ours = await perCall(call(faces.native), awaited);
  rows.push({
    call: label,
    'node wall ns': Math.round(node.wall),
    'native wall ns': Math.round(ours.wall),
    'node cpu ns': Math.round(node.cpu),
    'native cpu ns': Math.round(ours.cpu),
    'cpu node/native': (node.cpu / ours.cpu).toFixed(2),
  });
}
child.kill();
console.log(`environ of pid ${pid}: ${length} bytes, ${iterations} calls x 5 runs (median)`);
console.table(rows);
