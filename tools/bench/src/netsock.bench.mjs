// @procmon/netsock against its own /proc/net backend, `ss -tuanpx` and psutil, in one run: every
// socket descriptor of one process resolved to its connection.
// Usage: node --expose-gc src/netsock.bench.mjs [--quick]
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { listSocketDescriptors, netsockBackend, SocketResolver } from '@procmon/netsock';
import { parseFdTarget } from '@procmon/parse';
import { ProcFS } from '@procmon/procfs';
import { readBenchArgs } from './bench-args.mjs';
import { bestRound, fasterBy, rowWithin, timePerOp } from './harness.mjs';
import { measureInterleaved } from './interleaved.mjs';
import { bytesPerCall, timeFromSamples } from './io-harness.mjs';
import { PYTHON, psutilProblem } from './processes.mjs';
import { printHeading, Report } from './report.mjs';

const PAIRS = 2000;
const UNIX = 500;
const TCP = 2 * PAIRS + 1;
const { plan } = readBenchArgs();
const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const procfs = new ProcFS();

/** The holder: a python3 with ulimit -n raised, holding TCP connections and unix socket pairs. */
async function startHolder() {
  const child = spawn(
    'sh',
    [
      '-c',
      'ulimit -n 16384 && exec "$0" "$@"',
      PYTHON,
      here('netsock-holder.py'),
      String(PAIRS),
      String(UNIX),
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let errors = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    errors += chunk;
  });
  process.on('exit', () => child.kill('SIGKILL'));
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      if (/^ready \d+ \d+\n/.test(out)) resolve();
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`the socket holder exited (${signal ?? code})\n${errors}`)),
    );
  });
  return child;
}

/** The socket inodes among a process's descriptors: the first half of every row's work. */
function socketInodes(entries) {
  const inodes = [];
  for (const entry of entries) {
    if (entry.error !== undefined) continue;
    const target = parseFdTarget(entry.target);
    if (target.type === 'socket') inodes.push(target.inode);
  }
  return inodes;
}

function runPsutil(pid, minMs, minSamples) {
  const run = spawnSync(
    PYTHON,
    [here('netsock-psutil.py'), String(pid), String(minMs), String(minSamples)],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (run.status !== 0) throw new Error(`netsock-psutil.py failed:\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

async function main() {
  printHeading('@procmon/netsock benchmarks');
  const backend = netsockBackend();
  console.log(`netsockBackend(): ${backend.name} (${backend.reason})\n`);
  const report = new Report();
  if (backend.name !== 'netlink') {
    report.problem(`the netlink backend is not available: ${backend.reason}`);
    report.finish();
    return;
  }
  const holder = await startHolder();
  const pid = holder.pid;
  const netlink = new SocketResolver({ backend: 'netlink' });
  const proc = new SocketResolver({ backend: 'procfs' });
  const resolveWith = (resolver) => () =>
    resolver.resolve(socketInodes(procfs.listFds(pid)), { pid }).size;
  const psutilSkipped = psutilProblem();

  // Correctness first: every row sees every socket of the holder (its stdin, stdout and stderr
  // are unix socket pairs too: Node's spawn makes its pipes so).
  const expected = TCP + UNIX + 3;
  const problems = [];
  const inodes = socketInodes(procfs.listFds(pid));
  const ours = netlink.resolve(inodes, { pid });
  const theirs = proc.resolve(inodes, { pid });
  const counts = {
    'socket descriptors': inodes.length,
    'ours (netlink)': ours.size,
    'ours (procfs)': theirs.size,
    'ours (netlink, async)': (await netlink.resolveAsync(inodes, { pid })).size,
    'ours socketsOf (netlink)': netlink.socketsOf(pid).filter((d) => d.socket).length,
    'ours socketsOf (procfs)': proc.socketsOf(pid).filter((d) => d.socket).length,
  };
  const ss = spawnSync('ss', ['-tuanpx'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (ss.status !== 0) problems.push(`ss -tuanpx failed: ${ss.stderr}`);
  else
    counts['ss -tuanpx'] = ss.stdout
      .split('\n')
      .filter((line) => line.includes(`pid=${pid},`)).length;
  let psutilInfo;
  if (!psutilSkipped) {
    psutilInfo = runPsutil(pid, 0, 1);
    counts[`psutil ${psutilInfo.method}`] = psutilInfo.count;
  }
  for (const [who, count] of Object.entries(counts)) {
    if (count !== expected) problems.push(`${who}: ${count} sockets, not ${expected}`);
  }
  let agreeing = 0;
  for (const [inode, entry] of ours) {
    const other = theirs.get(inode);
    if (
      other &&
      other.state === entry.state &&
      other.localPort === entry.localPort &&
      other.remotePort === entry.remotePort
    )
      agreeing++;
  }
  if (agreeing !== expected)
    problems.push(`netlink and procfs agree on ${agreeing} of ${expected} sockets`);
  const title = `every socket descriptor of one process resolved: ${TCP.toLocaleString('en-US')} TCP sockets on loopback (a listener + ${PAIRS.toLocaleString('en-US')} connected pairs) and ${UNIX} unix sockets (+3 for stdio); list fds, collect socket inodes, resolve`;
  if (problems.length > 0) {
    console.log(`### ${title}\n`);
    for (const problem of problems) report.problem(problem);
    report.finish();
    holder.kill('SIGKILL');
    return;
  }

  const impls = [
    {
      name: 'ours: `resolver.socketsOf(pid)`, netlink (fds listed by procfs, sync)',
      run: () => netlink.socketsOf(pid).length,
    },
    {
      name: 'ours: `await resolver.socketsOfAsync(pid)`, netlink',
      isAsync: true,
      target: rowWithin(1.5, 'ours sync'),
      run: async () => (await netlink.socketsOfAsync(pid)).length,
    },
    {
      name: 'ours, netlink, fds listed with `procfs.listFds` + `resolve(inodes, { pid })`',
      note: 'info: the same tables, the fd listing of @procmon/procfs',
      run: resolveWith(netlink),
    },
    {
      name: 'ours, procfs backend with the native fd listing: `socketsOf(pid)`',
      note: 'info: the /proc/net tables alone, everything else equal',
      run: () => proc.socketsOf(pid).length,
    },
    {
      name: 'ours without the addon: `procfs.listFds` + /proc/PID/net/{tcp,tcp6,unix} (the /proc/net backend as it falls back)',
      target: fasterBy(2.5),
      run: resolveWith(proc),
    },
    {
      name: '`ss -tuanpx` (spawnSync, output to /dev/null; the whole command)',
      target: fasterBy(3),
      run: () => spawnSync('ss', ['-tuanpx'], { stdio: 'ignore' }).status,
    },
  ];
  if (!psutilSkipped) {
    impls.push({
      name: `psutil ${psutilInfo.psutil} \`Process(pid).${psutilInfo.method}(kind='all')\` (in one python3)`,
      external: true,
      target: fasterBy(5),
      time: () => timeFromSamples(runPsutil(pid, plan.minMs, 12).samples),
    });
  }
  // The first five rows run in this process; the others' allocations are not ours to see.
  const rows = await measureInterleaved(impls, plan, {
    allocation: (impl, i) =>
      i < 5 ? bytesPerCall(impl.run, { calls: 8, isAsync: impl.isAsync }) : null,
  });
  // The fd listings the rows of ours start with, for scale.
  const listing = bestRound([
    await timePerOp(() => socketInodes(procfs.listFds(pid)).length, plan.options),
  ]);
  const socketListing = bestRound([
    await timePerOp(() => listSocketDescriptors(pid).length, plan.options),
  ]);
  console.log(
    `ns/op is the median of mitata samples, best of ${plan.rounds} interleaved round(s); psutil is timed inside its own python3 process (median of per-call perf_counter_ns samples, interpreter startup not counted); \`ss\` is timed per whole command (it also walks every process's descriptors for -p). bytes/op is heap + ArrayBuffer growth per call in this process (— where the work happens in another process).\n`,
  );
  report.table('netsock', title, rows, [
    '',
    `of which listing the ${inodes.length.toLocaleString('en-US')} socket descriptors takes ${Math.round(listing.median).toLocaleString('en-US')} ns with procfs.listFds + parseFdTarget here, ${Math.round(socketListing.median).toLocaleString('en-US')} ns with \`listSocketDescriptors\` (the same listing through procfs's flow, the socket targets kept): the kernel's readlink of /proc/PID/fd/N is the floor of every row.`,
  ]);
  netlink.close();
  holder.kill('SIGKILL');
  report.finish();
}

await main();
