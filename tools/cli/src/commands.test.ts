// `procmon tree`, `fds`, `env` and `ps`, run as the built binary against a process this test
// starts, checked against the file, environment and arguments the test gave it.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  firstLine,
  HUNG_CHILD_LIMIT,
  tempFolder,
  trackChild,
} from '../../../test-support/processes.js';
import { binary, procmon } from '../test/binary.js';

const nodePath = realpathSync(process.execPath);

function escapeRegExp(text: string): string {
  return text.replace(/[[\]()\\.*+?^$|{}]/g, '\\$&');
}

let child: ChildProcess;
let pid: number;
let logPath: string;
// Listens on a loopback port, says which, and idles.
const script =
  "const s = require('net').createServer().listen(0, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n'))";
let port: number;
const childArgs = ['-e', script, 'first arg', ''];

beforeAll(async () => {
  const folder = tempFolder('procmon-commands-');
  logPath = join(folder, 'child log.txt');
  writeFileSync(logPath, 'twelve bytes');
  const log = openSync(logPath, 'a');
  child = trackChild(
    spawn(process.execPath, childArgs, {
      cwd: folder,
      env: { GREETING: 'hello=world', ['__proto__']: 'kept', EMPTY: '' },
      stdio: ['ignore', 'pipe', log],
    }),
  );
  closeSync(log);
  // Until it says ready, the child may still be a fork of this process that has not exec'd.
  port = Number(await firstLine(child));
  pid = child.pid as number;
});

afterAll(cleanup);

describe('procmon tree', () => {
  it('lists the process, then this test process, then the rest up to pid 1', () => {
    const result = procmon(['tree', String(pid), '--json']);
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.pid).toBe(pid);
    expect(report.tree.slice(0, 2)).toEqual([
      { pid, path: nodePath, pathSource: 'exe' },
      { pid: process.pid, path: nodePath, pathSource: 'exe' },
    ]);
    expect(report.tree.at(-1).pid).toBe(1);
    expect(new Set(report.tree.map((entry: { pid: number }) => entry.pid)).size).toBe(
      report.tree.length,
    );
  });

  it("marks a name that is not the binary's path: another user's exe link cannot be read", () => {
    const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
    const report = JSON.parse(procmon(['tree', String(pid), '--json'], asNobody).stdout);
    // The comm, which the process can set to anything (PR_SET_NAME): never shown as a path.
    expect(report.tree[0]).toEqual({ pid, path: 'node', pathSource: 'comm' });
    const text = procmon(['tree', String(pid)], asNobody).stdout.split('\n')[0];
    expect(text?.trim()).toBe(`${pid}  [node]`);
  });

  const kthreadd = (() => {
    try {
      return readFileSync('/proc/2/stat', 'utf8').startsWith('2 (kthreadd) ');
    } catch {
      return false;
    }
  })();
  it.skipIf(!kthreadd)('shows a kernel thread as one, not as a path', () => {
    expect(procmon(['tree', '2']).stdout).toBe('  2  [kernel thread]\n');
    const report = JSON.parse(procmon(['inspect', '2', '--json', '--no-checksums']).stdout);
    expect(report).toMatchObject({
      path: 'Kernel connection',
      pathSource: 'kernel',
      kernelThread: true,
    });
    // Its cmdline is empty: no arguments are made up from its name.
    expect(report.args).toBeUndefined();
    expect(report.command).toBeUndefined();
    const text = procmon(['inspect', '2', '--no-checksums']).stdout;
    expect(text).toContain('\n  path     [kthreadd]\n');
    expect(text).toContain(
      '\n  kind     kernel thread (no binary, no arguments, no user memory)\n',
    );
    expect(text).not.toMatch(/\n {2}args /);
  });

  it('prints one line per process, each ancestor indented under the one before', () => {
    const result = procmon(['tree', String(pid)]);
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]?.trim()).toBe(`${pid}  ${nodePath}`);
    expect(lines[1]?.trim()).toBe(`${process.pid}  └─${nodePath}`);
  });
});

describe('procmon fds', () => {
  it('shows the file the test opened as stderr, with its size and mtime, and the stdout socket', () => {
    const result = procmon(['fds', String(pid), '--json']);
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    const stats = statSync(logPath);
    const fds = report.descriptors.map((d: { fd: number }) => d.fd);
    expect(fds).toEqual([...fds].sort((a, b) => a - b));
    expect(report.descriptors.find((d: { fd: number }) => d.fd === 2)).toEqual({
      fd: 2,
      type: 'file',
      target: logPath,
      size: stats.size,
      modified: stats.mtime.toISOString(),
    });
    // Node gives a child a socket pair where a pipe was asked for: its stdout is a unix socket.
    const stdout = report.descriptors.find((d: { fd: number }) => d.fd === 1);
    expect(stdout.target).toMatch(/^socket:\[\d+\]$/);
    expect(stdout.socket).toMatch(
      new RegExp(
        `^${escapeRegExp(stdout.target)} unix stream \\(unnamed\\) -> socket:\\[\\d+\\] ESTABLISHED$`,
      ),
    );
  });

  it('shows the connection behind the listening socket the child opened', () => {
    const report = JSON.parse(procmon(['fds', String(pid), '--json']).stdout);
    const listeners = report.descriptors.filter(
      (d: { connection?: { state: string } }) => d.connection?.state === 'LISTEN',
    );
    expect(listeners).toHaveLength(1);
    const [listener] = listeners;
    expect(listener.connection).toMatchObject({
      family: 'inet',
      protocol: 'tcp',
      localAddress: '127.0.0.1',
      localPort: port,
    });
    // In the order of ss: protocol, local, remote (any port: *), state.
    expect(listener.socket).toBe(`${listener.target} tcp 127.0.0.1:${port} -> 0.0.0.0:* LISTEN`);
  });

  it('prints a table with the file path', () => {
    const result = procmon(['fds', String(pid)]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toMatch(/^\s+fd\s+type\s+size\s+modified\s+target$/);
    expect(result.stdout).toMatch(new RegExp(`\\n\\s+2\\s+file\\s+12 B\\s+\\S+\\s+${logPath}\\n`));
  });
});

describe('procmon env', () => {
  it('lists every definition the test set, in order', () => {
    const result = procmon(['env', String(pid), '--json']);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      pid,
      entries: [
        ['GREETING', 'hello=world'],
        ['__proto__', 'kept'],
        ['EMPTY', ''],
      ],
    });
  });

  it('prints NAME=value lines', () => {
    const result = procmon(['env', String(pid)]);
    expect(result.stdout).toBe('GREETING=hello=world\n__proto__=kept\nEMPTY=\n');
  });

  it('names the file and the reason when another user may not read it', () => {
    const result = procmon(
      ['env', '1'],
      ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'],
    );
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'procmon: cannot read /proc/1/environ (process 1): permission denied (EACCES)',
    );
  });
});

describe('procmon ps', () => {
  it('lists the test child with its ppid, user, path and command', () => {
    const result = procmon(['ps', '--json']);
    expect(result.status, result.stderr).toBe(0);
    const { lines } = JSON.parse(result.stdout);
    const pids = lines.map((line: { pid: number }) => line.pid);
    expect(pids).toEqual([...pids].sort((a, b) => a - b));
    expect(lines.find((line: { pid: number }) => line.pid === pid)).toMatchObject({
      pid,
      ppid: process.pid,
      uid: process.geteuid?.(),
      user: 'root',
      comm: 'node',
      state: expect.stringMatching(/^[RS]$/),
      stat: expect.stringMatching(/^[RS]l$/),
      kernelThread: false,
      zombie: false,
      path: nodePath,
      pathSource: 'exe',
      args: [process.execPath, ...childArgs],
      command: [process.execPath, ...childArgs].join(' '),
    });
  });

  it('prints one aligned line per process under a header', () => {
    const result = procmon(['ps']);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^USER\s+PID\s+PPID\s+%CPU\s+%MEM\s+VSZ\s+RSS\s+STAT\s+START\s+TIME\s+CONTAINER\s+COMMAND$/,
    );
    const line = lines.find((text) => text.split(/\s+/)[1] === String(pid));
    expect(line).toMatch(new RegExp(`^root\\s+${pid}\\s+${process.pid}\\s+`));
    // COMMAND is the arguments joined by spaces, as ps shows them, escaped (the script's
    // backslash shows doubled); the last argument is empty.
    expect(line).toContain(` ${process.execPath} -e const s = require('net')`);
    expect(line?.trimEnd().endsWith(" + '\\\\n')) first arg")).toBe(true);
  });
});

describe('errors and help', () => {
  it('refuses a mistyped checksum algorithm before reading anything', () => {
    const result = procmon(['inspect', String(pid), '--algo', 'sha256,nope']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('unknown hash algorithm "nope"');
  });

  it('prints no colour when piped, even with CI set; FORCE_COLOR turns it on', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, CI: '1' };
    delete env.NO_COLOR;
    delete env.FORCE_COLOR;
    const run = (extra: Record<string, string>) =>
      spawnSync(process.execPath, [binary, 'tree', String(pid)], {
        encoding: 'utf8',
        ...HUNG_CHILD_LIMIT,
        env: { ...env, ...extra },
      }).stdout;
    expect(run({})).not.toContain('\u001b[');
    expect(run({ FORCE_COLOR: '1' })).toContain('\u001b[');
  });

  it('says a pid to hash does not exist as the other commands do', () => {
    const result = procmon(['hash', '999999999']);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('procmon: process 999999999 does not exist');
  });

  it('answers a pid that is not one in one line and a hint, not the whole help', () => {
    const result = procmon(['inspect', 'abc']);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      `error: command-argument value 'abc' is invalid for argument 'pid'. "abc" is not a process id (a positive integer, or self)`,
      '(add --help for usage)',
    ]);
  });

  it.each(['tree', 'fds', 'env'])(
    '%s says a process does not exist, with a non-zero exit',
    (command) => {
      const result = procmon([command, '999999999']);
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toBe('procmon: process 999999999 does not exist');
    },
  );

  it.each(['tree', 'fds', 'env'])('%s rejects ../1 as a pid', (command) => {
    const result = procmon([command, '--', '../1']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('"../1" is not a process id');
  });

  it.each(['inspect', 'tree', 'fds', 'env', 'ps', 'hash'])(
    '%s --help describes the command',
    (command) => {
      const result = procmon([command, '--help']);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(`Usage: procmon ${command}`);
      expect(result.stdout).toContain('--json');
    },
  );
});

describe('procmon inspect, user and group', () => {
  it("names the process's effective user and group as getent names them", async () => {
    const sleeper = trackChild(
      spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sleep', '60'], {
        stdio: 'ignore',
      }),
    );
    const expected = (database: string) =>
      spawnSync('getent', [database, '65534'], { encoding: 'utf8' }).stdout.split(':')[0];
    // Until setpriv has exec'd sleep, the child may still run as root.
    const target = String(sleeper.pid);
    for (
      let i = 0;
      i < 100 && !readFileSync(`/proc/${target}/status`, 'utf8').includes('\nGid:\t65534');
      i++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const report = JSON.parse(procmon(['inspect', target, '--json', '--no-checksums']).stdout);
    expect(report.user).toBe(expected('passwd'));
    expect(report.group).toBe(expected('group'));
    expect(report.gid).toEqual({ real: 65534, effective: 65534, saved: 65534, filesystem: 65534 });
    const text = procmon(['inspect', target, '--no-checksums']).stdout;
    expect(text).toContain(
      ` ${expected('group')} (real 65534, effective 65534, saved 65534, fs 65534)\n`,
    );
    expect(text).toMatch(/\n {2}group {2,}\S/);
  });
});
