#!/usr/bin/env node
// Recreates test/fixtures/proc (a procfs tree that the tests mount with `new ProcFS({ root })`)
// and test/fixtures/expected.json (what the tests expect to read from it) from real processes.
// Run as root from packages/procfs: `node test/capture-fixtures.mjs`. Everything runs in a fresh
// network namespace (the net/tcp tables hold only the fixture process's listener) and a private
// mount namespace with its own empty /tmp (so /tmp/x is free). Pids, inodes and ports change on
// every run; expected.json records them, the tests read it.
//
// Captured (copies of real files and real link targets):
//   node      test/fixture-process.mjs started with `env -i`, a known environment, known
//             arguments and a cwd with a space; a worker thread, a TCP listener, fds that are a
//             socket, a pipe, /dev/null, a path and a file unlinked while open
//   zombie    an exited child that its parent (`sleep`) never reaps: state Z, empty cmdline, no
//             exe/cwd/root links, an empty fd/ (environ fails with ESRCH there: not copied)
//   kthread   pid 2 (kthreadd): empty cmdline, no exe link, empty fd/
//   deleted   a copy of sleep run as /tmp/x, then unlinked: exe is "/tmp/x (deleted)"
//   self/auxv the auxv of `cat /proc/self/auxv`; stat (machine-wide, with btime); net/tcp
// Crafted: non-pid entries (0, 01, 1e3, -1, a 20-digit name, sys/, thread-self). Folders that
// git cannot store (empty fd/ folders, the vanished process's empty pid folder) are listed in
// expected.json under `emptyFolders` and made by test/helpers.ts.
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'fixtures', 'proc');
const expectedPath = join(here, 'fixtures', 'expected.json');

if (process.env.PROCMON_IN_NETNS !== '1') {
  execFileSync(
    'unshare',
    [
      '-n',
      '-m',
      '--propagation',
      'private',
      'bash',
      '-c',
      // Descriptors above 2 inherited from whatever started this script stay out of the fixture.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion
      'for f in /proc/$$/fd/*; do n=${f##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done; ' +
        'mount -t tmpfs tmpfs /tmp && ip link set lo up && exec "$0" "$@"',
      process.execPath,
      ...process.argv.slice(1),
    ],
    { stdio: 'inherit', env: { ...process.env, PROCMON_IN_NETNS: '1' } },
  );
  process.exit(0);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(test, what) {
  for (let i = 0; i < 200; i++) {
    const value = test();
    if (value) return value;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}
const tryRead = (path) => {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
};
const tryLink = (path) => {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
};

/** Copies the listed files and links of /proc/<pid> (those that can be read) into the tree. */
function copyProcess(pid, files, links) {
  const folder = join(out, String(pid));
  mkdirSync(folder, { recursive: true });
  const copied = { files: [], links: {}, missing: [] };
  for (const name of files) {
    const data = tryRead(`/proc/${pid}/${name}`);
    if (data === undefined) copied.missing.push(name);
    else {
      mkdirSync(dirname(join(folder, name)), { recursive: true });
      writeFileSync(join(folder, name), data);
      copied.files.push(name);
    }
  }
  for (const name of links) {
    const target = tryLink(`/proc/${pid}/${name}`);
    if (target === undefined) copied.missing.push(name);
    else {
      symlinkSync(target, join(folder, name));
      copied.links[name] = target;
    }
  }
  return copied;
}

/** Copies the fd links of a /proc fd folder as symlinks with the same targets. */
function copyFds(from, to) {
  const fds = {};
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const target = tryLink(`${from}/${name}`);
    if (target === undefined) continue;
    symlinkSync(target, join(to, name));
    fds[name] = target;
  }
  return fds;
}

const work = '/tmp/procmon-procfs-fixture';
const cwd = join(work, 'cwd dir');
rmSync(work, { recursive: true, force: true });
mkdirSync(cwd, { recursive: true });
writeFileSync(join(cwd, 'data.txt'), 'data\n');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const children = [];
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

// The node process: `env -i` and a known environment; fd 1 is a pipe into cat, fd 3 a path.
const args = ['arg with spaces', '', 'ünïcödé', 'tab\there'];
const environment = [
  'GREETING=hello world',
  'EQUATION=a=b=c',
  'EMPTY=',
  'UNICODE=ünïcödé',
  'LANG=C.UTF-8',
];
const script = join(here, 'fixture-process.mjs');
const shell = spawn(
  'sh',
  [
    '-c',
    'env -i "$@" 3<data.txt 2>/dev/null | cat',
    'sh',
    ...environment,
    process.execPath,
    script,
    ...args,
  ],
  { cwd, stdio: ['pipe', 'pipe', 'inherit'] },
);
children.push(shell);
const ready = await new Promise((resolve, reject) => {
  let text = '';
  shell.stdout.on('data', (chunk) => {
    text += chunk;
    if (text.includes('\n')) resolve(text.trim().split(' '));
  });
  shell.once('exit', () => reject(new Error('the fixture process exited early')));
});
const nodePid = Number(ready[1]);
const port = Number(ready[2]);
const deletedFd = Number(ready[3]);
// Copy it while it sleeps on stdin (state S), as the tests expect, not while it is still busy.
const sleeping = () => /\) S /.test(tryRead(`/proc/${nodePid}/stat`)?.toString() ?? '');
await until(() => sleeping() && sleeping(), 'the fixture process to sleep');
const nodeFiles = ['stat', 'statm', 'status', 'cmdline', 'environ', 'comm', 'net/tcp'];
const node = copyProcess(nodePid, nodeFiles, ['exe', 'cwd']);
if (!/\) S /.test(readFileSync(join(out, String(nodePid), 'stat'), 'latin1'))) {
  throw new Error('the fixture process woke up during the copy: run the capture again');
}
node.fds = copyFds(`/proc/${nodePid}/fd`, join(out, String(nodePid), 'fd'));
node.tids = readdirSync(`/proc/${nodePid}/task`).map(Number);
for (const tid of node.tids) {
  for (const name of ['stat', 'comm']) {
    const data = tryRead(`/proc/${nodePid}/task/${tid}/${name}`);
    if (data === undefined) continue;
    mkdirSync(join(out, String(nodePid), 'task', String(tid)), { recursive: true });
    writeFileSync(join(out, String(nodePid), 'task', String(tid), name), data);
  }
}
node.taskFds = copyFds(
  `/proc/${nodePid}/task/${nodePid}/fd`,
  join(out, String(nodePid), 'task', String(nodePid), 'fd'),
);
mkdirSync(join(out, 'net'), { recursive: true });
writeFileSync(join(out, 'net', 'tcp'), readFileSync('/proc/net/tcp'));

// The zombie: `sleep 0` forked by a shell that then becomes `sleep 1000` and never waits.
const reaper = spawn('env', ['-i', 'sh', '-c', 'sleep 0 & exec sleep 1000'], { stdio: 'ignore' });
children.push(reaper);
const zombiePid = await until(() => {
  const list = tryRead(`/proc/${reaper.pid}/task/${reaper.pid}/children`)?.toString().trim();
  if (!list) return undefined;
  const pid = Number(list.split(' ')[0]);
  const stat = tryRead(`/proc/${pid}/stat`)?.toString() ?? '';
  const exe = tryLink(`/proc/${reaper.pid}/exe`) ?? '';
  return stat.includes(') Z ') && exe.endsWith('/sleep') ? pid : undefined;
}, 'the zombie');
const zombie = copyProcess(
  zombiePid,
  ['stat', 'status', 'cmdline', 'comm', 'environ'],
  ['exe', 'cwd', 'root'],
);
zombie.fds = copyFds(`/proc/${zombiePid}/fd`, join(out, String(zombiePid), 'fd'));
zombie.tids = readdirSync(`/proc/${zombiePid}/task`).map(Number);
mkdirSync(join(out, String(zombiePid), 'task', String(zombiePid)), { recursive: true });
copyFileSync(
  `/proc/${zombiePid}/task/${zombiePid}/stat`,
  join(out, String(zombiePid), 'task', String(zombiePid), 'stat'),
);

// The kernel thread: pid 2.
const kthreadPid = 2;
const kthread = copyProcess(kthreadPid, ['stat', 'status', 'cmdline', 'comm', 'environ'], ['exe']);
kthread.fds = copyFds(`/proc/${kthreadPid}/fd`, join(out, String(kthreadPid), 'fd'));

// The deleted executable: a copy of sleep started as /tmp/x, then unlinked.
if (existsSync('/tmp/x')) throw new Error('/tmp/x exists: move it away first');
copyFileSync(execFileSync('sh', ['-c', 'command -v sleep']).toString().trim(), '/tmp/x');
chmodSync('/tmp/x', 0o755);
const deletedChild = spawn('/tmp/x', ['1000'], { cwd: work, stdio: 'ignore', env: {} });
children.push(deletedChild);
await until(() => tryLink(`/proc/${deletedChild.pid}/exe`) === '/tmp/x', 'the /tmp/x exec');
await until(
  () => /\) S /.test(tryRead(`/proc/${deletedChild.pid}/stat`)?.toString() ?? ''),
  '/tmp/x to sleep',
);
unlinkSync('/tmp/x');
const deleted = copyProcess(deletedChild.pid, ['stat', 'cmdline', 'comm'], ['exe', 'cwd']);

// Machine-wide files and facts.
mkdirSync(join(out, 'self'), { recursive: true });
writeFileSync(join(out, 'self', 'auxv'), execFileSync('cat', ['/proc/self/auxv']));
const stat = readFileSync('/proc/stat');
writeFileSync(join(out, 'stat'), stat);
const machine = {
  pageSize: Number(execFileSync('getconf', ['PAGESIZE']).toString()),
  clockTicks: Number(execFileSync('getconf', ['CLK_TCK']).toString()),
  bootTimeSeconds: Number(/^btime (\d+)$/m.exec(stat.toString())[1]),
};

// Names that are not pids, beside the pid folders.
const nonPids = [
  '0',
  '01',
  '1e3',
  '-1',
  '99999999999999999999',
  'sys',
  'self',
  'thread-self',
  'net',
  'stat',
];
for (const name of ['0', '01', '1e3', '-1', '99999999999999999999']) {
  mkdirSync(join(out, name));
  copyFileSync(join(out, String(nodePid), 'stat'), join(out, name, 'stat'));
}
mkdirSync(join(out, 'sys', 'kernel'), { recursive: true });
writeFileSync(join(out, 'sys', 'kernel', 'pid_max'), readFileSync('/proc/sys/kernel/pid_max'));
symlinkSync(`${nodePid}/task/${nodePid}`, join(out, 'thread-self'));

// A pid that none of the captured processes has: its folder is left empty (files vanished).
let vanishedPid = 31337;
while ([nodePid, zombiePid, kthreadPid, deletedChild.pid].includes(vanishedPid)) vanishedPid++;

const emptyFolders = [
  String(vanishedPid),
  ...[zombiePid, kthreadPid]
    .filter((pid) => readdirSync(join(out, String(pid), 'fd')).length === 0)
    .map((pid) => `${pid}/fd`),
];

// A link in the tree that leads to a real folder would let globbing tools (vitest's test search,
// tsc's include) walk out of the tree, e.g. into / through a `root` link: there must be none.
// (Hence no `root` links, and cwd links only into /tmp/procmon-procfs-fixture, which exists
// only in this script's private /tmp.)
function checkNoFolderLinks(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) checkNoFolderLinks(path);
    else if (entry.isSymbolicLink()) {
      const target = readlinkSync(path);
      // /tmp is this script's private tmpfs: what is under it does not exist for the tests.
      if (!target.startsWith('/') || target.startsWith('/tmp/')) continue;
      if (statSync(target, { throwIfNoEntry: false })?.isDirectory()) {
        throw new Error(`${path} -> ${target} leads to a folder outside the tree`);
      }
    }
  }
}
checkNoFolderLinks(out);

const expected = {
  note: 'Written by test/capture-fixtures.mjs with the tree in proc/; do not edit by hand.',
  node: {
    pid: nodePid,
    args,
    environment,
    cwd,
    port,
    deletedFd,
    script,
    execPath: process.execPath,
    ...node,
  },
  zombie: { pid: zombiePid, parent: reaper.pid, ...zombie },
  kthread: { pid: kthreadPid, ...kthread },
  deleted: { pid: deletedChild.pid, args: ['1000'], ...deleted },
  vanished: { pid: vanishedPid },
  machine,
  nonPids,
  emptyFolders,
};
writeFileSync(expectedPath, `${JSON.stringify(expected, null, 2)}\n`);

shell.stdin.end();
for (const child of children) child.kill('SIGKILL');
rmSync(work, { recursive: true, force: true });
console.log(`wrote ${out} and ${expectedPath}`);
process.exit(0);
