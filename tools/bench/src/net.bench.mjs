// Issue #13's figures in one run: the whole machine's connections with their processes (procmon
// against `ss`, `lsof`, `netstat`, psutil and procmon's own pieces joined by hand), one
// connection by its tuple to its holders (warm and cold index), and how often a client that exits
// at once is attributed at accept. Markdown tables with ratios, also written to results/net.md.
// Rows whose procmon API is not on this branch yet are printed as SKIPPED with the reason.
// Usage: node --expose-gc src/net.bench.mjs [--quick] [case ...]   (cases: machine lookup short)
import { readdirSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { SocketResolver } from '@procmon/netsock';
import { readBenchArgs } from './bench-args.mjs';
import { environmentLine, sinkValue } from './harness.mjs';
import { procmonBackends } from './native-backends.mjs';
import { startLoad, stopLoad } from './net-load.mjs';
import { lookupCase } from './net-lookup.mjs';
import { machineCase } from './net-machine.mjs';
import { shortCase } from './net-short-case.mjs';
import { NetReport } from './net-table.mjs';
import { psutilProblem } from './processes.mjs';
import { recordResults } from './report.mjs';

const CASES = ['machine', 'lookup', 'short'];
const { quick, plan, wanted, only } = readBenchArgs(CASES);
const results = fileURLToPath(new URL('../results/net.md', import.meta.url));
/** The load average and how many processes run (other engineers' benches come and go). */
const load = () => {
  const average = os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
  const processes = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).length;
  return `${average}, ${processes} processes`;
};

async function main() {
  const started = Date.now();
  const report = new NetReport();
  report.say('## procmon connections → processes: issue #13 figures\n');
  report.say(environmentLine());
  const backends = procmonBackends();
  report.say(
    `procfs backends: ${backends.map((b) => `${b.label} ${b.procfs ? 'loaded' : `absent (${b.why})`}`).join('; ')}`,
  );
  const resolver = new SocketResolver();
  report.say(`netsock backend: ${resolver.backendFor().name} (${resolver.backendFor().reason})`);
  const psutilSkipped = psutilProblem();
  if (psutilSkipped) report.problem(`psutil: ${psutilSkipped}`);
  report.say(
    `load average at the start: ${load()} before the bench's own (${os.cpus().length} cpus, a shared machine)`,
  );
  report.say(
    `timing: median per call, best of ${plan.rounds} interleaved round(s), rows taking turns${quick ? ' (--quick: for trying, not for figures)' : ''}\n`,
  );
  const loaded = await startLoad();
  try {
    const ctx = { backends, resolver, load: loaded, plan, psutilSkipped, quick };
    for (const [key, run] of [
      ['machine', machineCase],
      ['lookup', lookupCase],
      ['short', shortCase],
    ]) {
      if (!wanted(key)) continue;
      const result = await run(ctx);
      if (result.problems) {
        for (const p of result.problems) report.problem(`${result.name}: ${p}`);
        report.say(`### ${result.title}\n\nSKIPPED: ${result.problems.join('; ')}\n`);
      } else report.table(result);
    }
  } finally {
    stopLoad(loaded);
    resolver.close();
  }
  report.say(`load average at the end: ${load()}\n`);
  report.finish();
  report.say(`(run took ${((Date.now() - started) / 1000).toFixed(1)} s; checksum ${sinkValue()})`);
  recordResults(results, report.lines, { quick, only });
}

await main();
