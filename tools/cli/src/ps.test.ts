// `procmon ps` and `tree --children`, run as the built binary, against processes this test
// spawns and against what procps's own `ps` says about them: pid, ppid, user, VSZ, RSS, STAT,
// TIME, %CPU, the --forest art, a zombie and a kernel thread.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  HUNG_CHILD_LIMIT,
  tempFolder,
  trackChild,
} from '../../../test-support/processes.js';
import { procmon } from '../test/binary.js';

const shPath = realpathSync('/bin/sh');

interface Line {
  pid: number;
  ppid: number;
  user?: string;
  uid?: number;
  comm: string;
  stat: string;
  command?: string;
  cpuPercent: number;
  virtualBytes: number;
  residentBytes: number;
  cpuSeconds: number;
  startedAt: number;
  /** Clock ticks after boot (stat field 22). */
  startTime: number;
}

function psJson(args: string[]): { lines: Line[]; readAt: number; depths?: number[] } {
  const result = procmon(['ps', '--json', ...args]);
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

/** Lines a spawned process prints, `LABEL pid` each, until every label has come. */
function labelledPids(
  child: ChildProcess,
  labels: readonly string[],
): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const pids = new Map<string, number>();
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      for (const line of text.split('\n')) {
        const [label, pid] = line.split(' ');
        if (label && labels.includes(label) && pid) pids.set(label, Number(pid));
      }
      if (labels.every((label) => pids.has(label))) resolve(pids);
    });
    child.on('exit', () => reject(new Error(`exited before saying ${labels}: ${text}`)));
  });
}

// A tree: A (sh) → B (sleep copy), C (sh) → D (sleep copy). The copy's unique name is its comm.
const folder = tempFolder('procmon-ps-');
const sleepName = `pm${process.pid.toString(36)}sl`;
const sleepPath = join(folder, sleepName);
copyFileSync('/usr/bin/sleep', sleepPath);
const innerPath = join(folder, 'inner.sh');
writeFileSync(innerPath, `'${sleepPath}' 301 & echo D $!; wait\n`);
const treeScript = `echo A $$; '${sleepPath}' 300 & echo B $!; sh '${innerPath}' & echo C $!; wait`;
let pids: Map<string, number>;
const pidOf = (label: string) => pids.get(label) as number;

// A node process that burns 1.5 s of CPU time, says so, and idles: TIME 1 s, %CPU well above 0.
const burnerScript =
  "const used = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; }; while (used() < 1.5); console.log('BURNED ' + process.pid); setInterval(() => {}, 1e6)";
let burner: number;

// A zombie: python starts /bin/true and execs into sleep, which never waits for it. (Not sh:
// dash may reap a background child that exits before its exec, leaving no zombie.)
let zombie: number;
const ZOMBIE_MAKER = [
  'import os, sys',
  'child = os.fork()',
  "if child == 0: os.execv('/bin/true', ['true'])",
  "print('Z', child, flush=True)",
  "os.execv(sys.argv[1], [sys.argv[1], '302'])",
].join('\n');

beforeAll(async () => {
  const tree = trackChild(
    spawn('sh', ['-c', treeScript], { stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  const burning = trackChild(
    spawn(process.execPath, ['-e', burnerScript], { stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  const undead = trackChild(
    spawn('python3', ['-c', ZOMBIE_MAKER, sleepPath], { stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  [pids, burner, zombie] = await Promise.all([
    labelledPids(tree, ['A', 'B', 'C', 'D']),
    labelledPids(burning, ['BURNED']).then((found) => found.get('BURNED') as number),
    labelledPids(undead, ['Z']).then((found) => found.get('Z') as number),
  ]);
  // Until /bin/true has exited, the zombie is not one yet.
  for (let tries = 0; tries < 100; tries++) {
    if (readFileSync(`/proc/${zombie}/stat`, 'utf8').includes(') Z ')) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}, 30_000);

afterAll(async () => {
  // The grandchildren are no tracked children: ended here, by the pids they printed.
  for (const label of ['B', 'C', 'D']) {
    try {
      process.kill(pidOf(label), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await cleanup();
});

const PAGE_KIB = Number(spawnSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).stdout) / 1024;

/** `ps -o` fields of some pids, by pid: procps's answer. */
function procps(fields: string[], pidList: number[]): Map<number, string[]> {
  const run = spawnSync(
    'ps',
    ['-o', fields.map((f) => `${f}=`).join(','), '-p', pidList.join(',')],
    {
      encoding: 'utf8',
      ...HUNG_CHILD_LIMIT,
    },
  );
  const rows = new Map<number, string[]>();
  for (const line of run.stdout.trim().split('\n')) {
    const cells = line.trim().split(/\s+/);
    rows.set(Number(cells[0]), cells.slice(1));
  }
  return rows;
}

/** ps's `time` ([DD-]HH:MM:SS) in seconds. */
function psSeconds(text: string): number {
  const [days, clock] = text.includes('-') ? text.split('-') : ['0', text];
  const [h, m, s] = (clock as string).split(':').map(Number) as [number, number, number];
  return Number(days) * 86400 + h * 3600 + m * 60 + s;
}

describe('procmon ps --json against procps ps', () => {
  it('same pid, ppid, user, VSZ, STAT, TIME; RSS within two pages; %CPU and elapsed time near', () => {
    const wanted = [...pids.values(), burner];
    const ours = new Map(psJson(['-p', wanted.join(',')]).lines.map((line) => [line.pid, line]));
    const theirs = procps(
      ['pid', 'ppid', 'user', 'vsz', 'rss', 'stat', 'etimes', 'time', 'pcpu'],
      wanted,
    );
    const readAt = Date.now();
    expect([...ours.keys()].sort()).toEqual([...wanted].sort());
    for (const pid of wanted) {
      const line = ours.get(pid) as Line;
      const [ppid, user, vsz, rss, stat, etimes, time, pcpu] = theirs.get(pid) as string[];
      expect(line.ppid).toBe(Number(ppid));
      expect(line.user).toBe(user);
      expect(Math.floor(line.virtualBytes / 1024)).toBe(Number(vsz));
      expect(Math.abs(line.residentBytes / 1024 - Number(rss))).toBeLessThanOrEqual(2 * PAGE_KIB);
      expect(line.stat).toBe(stat);
      expect(Math.floor(line.cpuSeconds)).toBe(psSeconds(time as string));
      expect(Math.abs((readAt - line.startedAt) / 1000 - Number(etimes))).toBeLessThan(3);
      // Lifetime percents move as time passes between the two readings (the burner's falls):
      // near, not equal. Over the machine's uptime, or not in percent, it would be far off.
      expect(Math.abs(line.cpuPercent - Number(pcpu))).toBeLessThanOrEqual(
        Math.max(2, Number(pcpu) / 2),
      );
    }
    // The burner spent its 1.5 s: TIME shows 1 s (the sleeps 0), and %CPU is that time over its
    // life so far (how long the suite took to get here does not matter: a loaded machine makes
    // the life long and the percent small, never wrong).
    const burnt = ours.get(burner) as Line;
    expect(Math.floor(burnt.cpuSeconds)).toBe(1);
    // Its life now (uptime less its start, read after the listing) is longer than when ps
    // read it: the percent shown is at least the CPU time over it, and one core at most.
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
    const lifeNow =
      Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) - burnt.startTime / ticks;
    expect(burnt.cpuPercent).toBeGreaterThanOrEqual((100 * burnt.cpuSeconds) / lifeNow - 0.01);
    expect(burnt.cpuPercent).toBeLessThanOrEqual(100);
  });

  it('a zombie as [comm] <defunct> and a kernel thread as [comm], as ps shows them', () => {
    const kthreadd = readFileSync('/proc/2/stat', 'utf8').startsWith('2 (kthreadd) ');
    const wanted = kthreadd ? [zombie, 2] : [zombie];
    const theirs = procps(['pid', 'stat', 'args'], wanted);
    const text = procmon(['ps', '-p', wanted.join(','), '--wide'])
      .stdout.trimEnd()
      .split('\n');
    for (const pid of wanted) {
      const [stat, ...args] = theirs.get(pid) as string[];
      const row = text.find((line) => line.split(/\s+/)[1] === String(pid)) as string;
      expect(row.split(/\s+/)[7]).toBe(stat);
      expect(row.endsWith(` ${args.join(' ')}`)).toBe(true);
    }
    expect((theirs.get(zombie) as string[]).slice(1)).toEqual(['[true]', '<defunct>']);
  });
});

describe('STAT of a process with locked memory', () => {
  it('shows L, as procps ps shows it for the same process', async () => {
    // mlockall(MCL_CURRENT | MCL_FUTURE): root may lock any amount.
    const locker = trackChild(
      spawn(
        'python3',
        [
          '-c',
          "import ctypes, sys, time\nif ctypes.CDLL(None).mlockall(3) != 0: sys.exit(1)\nprint('locked', flush=True)\ntime.sleep(60)",
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      ),
    );
    const said = await new Promise<string>((resolve) => {
      locker.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
      locker.once('exit', () => resolve('exited'));
    });
    expect(said).toBe('locked');
    const pid = locker.pid as number;
    const [theirs] = procps(['pid', 'stat'], [pid]).get(pid) as string[];
    expect(theirs).toContain('L');
    const [line] = psJson(['-p', String(pid)]).lines;
    expect(line?.stat).toBe(theirs);
  });
});

describe('choosing and ordering', () => {
  it('-p shows only those pids, in pid order; --sort -pid reverses', () => {
    const shown = psJson(['-p', tree().join(',')]).lines.map((line) => line.pid);
    expect(shown).toEqual([...tree()].sort((a, b) => a - b));
    const reversed = psJson(['-p', tree().join(','), '--sort', '-pid']).lines.map((l) => l.pid);
    expect(reversed).toEqual([...shown].reverse());
  });

  it('--sort -%cpu puts the burner first and keeps the rest in descending %CPU', () => {
    const lines = psJson(['-p', [...tree(), burner].join(','), '--sort', '-%cpu']).lines;
    expect(lines[0]?.pid).toBe(burner);
    const percents = lines.map((line) => line.cpuPercent);
    expect(percents).toEqual([...percents].sort((a, b) => b - a));
  });

  it('--name matches the comm: the sleep copies, not the shells', () => {
    const shown = psJson(['--name', sleepName]).lines.map((line) => line.pid);
    // The zombie's parent exec'd the copy too.
    expect(shown).toEqual(expect.arrayContaining([pidOf('B'), pidOf('D')]));
    expect(shown).not.toContain(pidOf('A'));
    expect(shown).not.toContain(pidOf('C'));
  });

  it('-u by name and by uid: the same processes; another user excludes ours', () => {
    const uid = process.geteuid?.() as number;
    const byUid = psJson(['-u', String(uid), '-p', tree().join(',')]).lines.map((l) => l.pid);
    expect(byUid).toHaveLength(4);
    const name = psJson(['-p', String(pidOf('A'))]).lines[0]?.user as string;
    const byName = psJson(['-u', name, '-p', tree().join(',')]).lines.map((l) => l.pid);
    expect(byName).toEqual(byUid);
    const other = uid === 65534 ? '0' : '65534';
    expect(psJson(['-u', other, '-p', tree().join(',')]).lines).toEqual([]);
  });

  it('-u with a name no user has: a usage error naming it', () => {
    const result = procmon(['ps', '-u', 'no-such-user-procmon']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toBe(
      'procmon: no user is named "no-such-user-procmon" (-u/--user)',
    );
  });

  it.each([[['--sort', 'bogus']], [['--sort', '']], [['-p', '12,x']], [['--interval', '0']]])(
    '%j is a usage error',
    (args) => {
      const result = procmon(['ps', ...args]);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/^error: /);
    },
  );

  it('--forest: children under their parents, art as procps draws it', () => {
    const report = psJson(['-p', tree().join(','), '--forest']);
    expect(report.lines.map((line) => line.pid)).toEqual(tree());
    expect(report.depths).toEqual([0, 1, 1, 2]);
    const ours = procmon(['ps', '-p', tree().join(','), '--forest', '--wide']).stdout;
    const [header, ...rows] = ours.trimEnd().split('\n');
    // Every column before COMMAND holds ASCII here: the command starts under its title.
    const commands = rows.map((line) => line.slice(header?.indexOf('COMMAND')));
    const theirs = spawnSync('ps', ['--forest', '-o', 'args=', '-p', tree().join(',')], {
      encoding: 'utf8',
      ...HUNG_CHILD_LIMIT,
    }).stdout;
    expect(commands).toEqual(theirs.trimEnd().split('\n'));
  });
});

/** utime + stime of a process, in clock ticks, from its stat (fields 14 and 15). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

describe('--interval', () => {
  it('%CPU over the interval, as top: a busy process near a core, an idle one near 0', async () => {
    // Busy from start to end: its percent over the interval is high whatever its lifetime says.
    const busy = trackChild(
      spawn(process.execPath, ['-e', "console.log('BUSY ' + process.pid); for (;;);"], {
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    const busyPid = (await labelledPids(busy, ['BUSY'])).get('BUSY') as number;
    const before = cpuTicks(busyPid);
    const report = psJson(['-p', `${busyPid},${pidOf('B')}`, '--interval', '1']);
    const spent = (cpuTicks(busyPid) - before) / 100; // seconds: USER_HZ is 100 on Linux
    const [idle, spinning] = [pidOf('B'), busyPid].map(
      (wanted) =>
        report.lines.find((line) => line.pid === wanted) as Line & { cpuPercentOver: string },
    );
    expect(spinning?.cpuPercentOver).toBe('interval');
    // How much CPU it gets depends on the machine's load; what it used during ps's interval (at
    // least 1 s of wall time) is at most what it used from before ps started to after it ended.
    expect(spinning?.cpuPercent).toBeGreaterThan(0);
    expect(spinning?.cpuPercent).toBeLessThanOrEqual(spent * 100 + 2);
    expect(idle?.cpuPercent).toBe(0);
    busy.kill('SIGKILL');
  });
});

describe('procmon tree --children', () => {
  it('the spawned subtree, each child under its parent', () => {
    const result = procmon(['tree', String(pidOf('A')), '--children', '--json']);
    expect(result.status, result.stderr).toBe(0);
    const leaf = (label: string) => ({
      pid: pidOf(label),
      comm: sleepName,
      path: sleepPath,
      pathSource: 'exe',
      children: [],
    });
    expect(JSON.parse(result.stdout)).toEqual({
      pid: pidOf('A'),
      subtree: {
        pid: pidOf('A'),
        comm: 'sh',
        path: shPath,
        pathSource: 'exe',
        children: [
          leaf('B'),
          { pid: pidOf('C'), comm: 'sh', path: shPath, pathSource: 'exe', children: [leaf('D')] },
        ],
      },
    });
    const text = procmon(['tree', String(pidOf('A')), '--children']).stdout;
    const width = String(Math.max(...tree().map(Number))).length;
    const row = (label: string, art: string, path: string) =>
      `  ${String(pidOf(label)).padStart(width)}  ${art}${path}`;
    expect(text).toBe(
      `${[
        row('A', '', shPath),
        row('B', '├─ ', sleepPath),
        row('C', '└─ ', shPath),
        row('D', '   └─ ', sleepPath),
      ].join('\n')}\n`,
    );
  });
});

function tree(): number[] {
  return ['A', 'B', 'C', 'D'].map(pidOf);
}
