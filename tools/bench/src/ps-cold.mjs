// One `procmon ps` listing as a fresh process pays it, startup excluded: Node starts, the CLI's
// ps modules load (untimed), then one `formatPs(await listProcesses(), undefined)` is timed: cold
// JIT, and the one `getent passwd` spawn for user names. Prints the time in nanoseconds.
// Usage: node ps-cold.mjs   (ps.bench.mjs runs it)
import { listProcesses } from '@procmon/cli/dist/ps-command.js';
import { formatPs } from '@procmon/cli/dist/ps-format.js';

const t0 = process.hrtime.bigint();
const text = formatPs(await listProcesses(), undefined);
const ns = process.hrtime.bigint() - t0;
if (text.length === 0) throw new Error('formatPs drew nothing');
process.stdout.write(`${ns}\n`);
