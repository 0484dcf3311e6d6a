// Question 4 of the native bench: what an awaited call costs over its sync twin. One libuv pool
// trip (`await fs.promises.access('/')` minus `fs.accessSync('/')`) is measured in the same run,
// and an awaited read or details() may take at most (sync + one trip) x 1.2.
import { accessSync, promises } from 'node:fs';
import { Process } from '@procmon/process';
import { fileReadOptions } from './io-harness.mjs';
import { consumeDetails, measureRows, perBackend } from './native-rows.mjs';
import { within } from './native-table.mjs';

const SLACK = 1.2;
const IN_FLIGHT = 16;
const FILE = 'stat';

export async function asyncCase(ctx, plan) {
  const { pid, backends } = ctx;
  const name = 'async';
  const title = `4. Awaited calls against sync + one thread-pool trip (\`${FILE}\` reads and \`details()\` of the same process)`;
  // One Process per backend, opened once: the rows time details() itself (its identity check
  // included), not the open.
  const opened = new Map();
  for (const b of backends.filter((b) => b.procfs)) {
    const proc = Process.open(pid, { procfs: b.procfs });
    const sync = proc.details();
    const awaited = await proc.detailsAsync();
    if (consumeDetails(sync) !== consumeDetails(awaited))
      return { name, title, problems: [`${b.label}: details() and detailsAsync() differ`] };
    opened.set(b.key, proc);
  }
  const entries = [
    {
      key: 'accessSync',
      name: "`fs.accessSync('/')`",
      run: () => {
        accessSync('/');
        return 1;
      },
    },
    {
      key: 'access',
      name: "`await fs.promises.access('/')`",
      isAsync: true,
      run: async () => {
        await promises.access('/');
        return 1;
      },
    },
    {
      key: 'trip',
      name: 'one pool trip: the two rows above, subtracted',
      derive: (ns) => ns('access') - ns('accessSync'),
    },
  ];
  for (const b of backends) {
    const proc = () => opened.get(b.key);
    // This backend's row `<key>:<suffix>`, or its "not available" row.
    const own = (suffix, make) => perBackend([b], make, () => `${b.key}:${suffix}`)[0];
    entries.push(
      own('read', () => ({
        name: `${b.label}: \`procfs.readFile(pid, '${FILE}')\``,
        run: () => b.procfs.readFile(pid, FILE).length,
      })),
      own('readAsync', () => ({
        name: `${b.label}: \`await procfs.promises.readFile(pid, '${FILE}')\``,
        isAsync: true,
        run: async () => (await b.procfs.promises.readFile(pid, FILE)).length,
      })),
      {
        key: `${b.key}:readBudget`,
        name: `${b.label}: budget (sync read + one trip) × ${SLACK}`,
        derive: (ns) => (ns(`${b.key}:read`) + ns('trip')) * SLACK,
      },
      own('inFlight', () => ({
        name: `${b.label}: ${IN_FLIGHT} \`procfs.promises.readFile\` in flight, per read`,
        isAsync: true,
        perCall: IN_FLIGHT,
        run: async () => {
          const reads = [];
          for (let i = 0; i < IN_FLIGHT; i++) reads.push(b.procfs.promises.readFile(pid, FILE));
          return (await Promise.all(reads)).length;
        },
      })),
      own('details', () => ({
        name: `${b.label}: \`process.details()\``,
        run: () => consumeDetails(proc().details()),
      })),
      own('detailsAsync', () => ({
        name: `${b.label}: \`await process.detailsAsync()\``,
        isAsync: true,
        run: async () => consumeDetails(await proc().detailsAsync()),
      })),
      {
        key: `${b.key}:detailsBudget`,
        name: `${b.label}: budget (details() + one trip) × ${SLACK}`,
        derive: (ns) => (ns(`${b.key}:details`) + ns('trip')) * SLACK,
      },
    );
  }
  const rows = await measureRows(entries, plan, fileReadOptions(plan));
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const extra = [''];
  for (const b of backends) {
    const sync = byKey.get(`${b.key}:read`).ns;
    const flight = byKey.get(`${b.key}:inFlight`).ns;
    if (sync == null || flight == null) continue;
    const ratio = flight / sync;
    extra.push(
      `${b.label}: with ${IN_FLIGHT} reads in flight, a read takes ${ratio.toFixed(2)}x the time of a sync read (${ratio < 1 ? `${(1 / ratio).toFixed(2)}x more reads per second` : 'no gain over sync'}).`,
    );
  }
  const trip = byKey.get('trip').ns;
  if (trip != null)
    extra.push(`one pool trip costs ${Math.round(trip).toLocaleString('en-US')} ns here.`);
  return {
    name,
    title,
    rows,
    compare: false,
    extra,
    targets: [
      within(
        1,
        `awaited readFile within (sync + one trip) × ${SLACK}`,
        (b) => `${b}:readAsync`,
        (b) => `${b}:readBudget`,
      ),
      within(
        1,
        `detailsAsync within (details + one trip) × ${SLACK}`,
        (b) => `${b}:detailsAsync`,
        (b) => `${b}:detailsBudget`,
      ),
    ],
  };
}
