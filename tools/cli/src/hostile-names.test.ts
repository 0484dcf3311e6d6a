// A process whose every name is an attack on the terminal (escape sequences that retitle and clear
// it, a newline that forges a line, C1 controls, bidi and zero-width characters, bytes that are
// not UTF-8), shown by each command of the built binary: text for people must hold none of these
// characters raw and must show their escaped forms; --json keeps the exact strings.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  mkdirSync,
  openSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, firstLine, tempFolder, trackChild } from '../../../test-support/processes.js';
import { procmon } from '../test/binary.js';

const helperSource = new URL('../test/hostile.c', import.meta.url).pathname;

const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];

// Sets the terminal's title, clears the screen, and starts a line of its own.
const ATTACK = 'x\x1b]0;pwned\x07\x1b[2J\nFAKE-LINE';
const ATTACK_SHOWN = 'x\\x1b]0;pwned\\x07\\x1b[2J\\x0aFAKE-LINE';
// CSI as one C1 character, right-to-left override, left-to-right isolate, zero-width space.
const TRICKS = '\u009b\u202e\u2066\u200b';
const TRICKS_SHOWN = '\\u{9b}\\u{202e}\\u{2066}\\u{200b}';
// The byte 0x9b, which is not UTF-8, beside the character U+009B: they must not read the same.
const BYTE = Buffer.from([0x9b]);
const BYTE_DECODED = '\udc9b';
const BYTE_SHOWN = '\\x9b';

const NAME = `${ATTACK}${TRICKS}`;
const NAME_SHOWN = `${ATTACK_SHOWN}${TRICKS_SHOWN}`;
// comm holds 15 bytes at most.
const COMM = '\x1b[2J\nFAKE\u009b';
const COMM_SHOWN = '\\x1b[2J\\x0aFAKE\\u{9b}';
const ARGS = ['\x1b[31mred', 'two\nFAKE-LINE', '\u202etxt.exe', 'back\\slash'];
// As `inspect` quotes them for a shell, and as `ps` shows the command line.
const ARGS_SHOWN = `'\\x1b[31mred' 'two\\x0aFAKE-LINE' '\\u{202e}txt.exe' 'back\\\\slash'`;
const ARGS_IN_COMMAND = `\\x1b[31mred two\\x0aFAKE-LINE \\u{202e}txt.exe back\\\\slash`;
const CWD_SHOWN = `cwd-${ATTACK_SHOWN}${BYTE_SHOWN}${TRICKS_SHOWN}`;
const LOG_SHOWN = `log-${ATTACK_SHOWN}${BYTE_SHOWN}${TRICKS_SHOWN}`;
const SOCKET_SHOWN = `sock-${ATTACK_SHOWN}\\u{202e}`;
const ENV_NAME = 'NAME\x1b]0;t\x07';
const ENV_VALUE = 'v\nFAKE-LINE\u202e\u2028';
const ENV_SHOWN = 'NAME\\x1b]0;t\\x07=v\\x0aFAKE-LINE\\u{202e}\\u{2028}';

let folder: string;
let child: ChildProcess;
let pid: number;
let exePath: string;
let cwdPath: string;
let logPath: string;
let socketPath: string;

beforeAll(async () => {
  folder = tempFolder('procmon-hostile-');
  const compiled = join(folder, 'hostile');
  const cc = spawnSync('cc', ['-O1', '-o', compiled, helperSource], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`cc hostile.c failed: ${cc.error ?? cc.stderr}`);
  exePath = join(folder, NAME);
  copyFileSync(compiled, exePath);
  chmodSync(exePath, 0o755);
  // Names with a byte that is not UTF-8 can only be made from bytes: the working directory is
  // reached through a plain symlink (the kernel shows where it leads), the log opened by its bytes.
  const cwdBytes = Buffer.concat([
    Buffer.from(`${folder}/cwd-${ATTACK}`),
    BYTE,
    Buffer.from(TRICKS),
  ]);
  mkdirSync(cwdBytes);
  cwdPath = `${folder}/cwd-${ATTACK}${BYTE_DECODED}${TRICKS}`;
  symlinkSync(cwdBytes, join(folder, 'cwd'));
  const logBytes = Buffer.concat([
    Buffer.from(`${folder}/log-${ATTACK}`),
    BYTE,
    Buffer.from(TRICKS),
  ]);
  writeFileSync(logBytes, 'log');
  logPath = `${folder}/log-${ATTACK}${BYTE_DECODED}${TRICKS}`;
  const log = openSync(logBytes, 'a');
  socketPath = `${folder}/sock-${ATTACK}\u202e`;
  child = trackChild(
    spawn(exePath, [COMM, socketPath, ...ARGS], {
      cwd: join(folder, 'cwd'),
      env: { [ENV_NAME]: ENV_VALUE, PLAIN: 'plain' },
      stdio: ['pipe', 'pipe', log],
    }),
  );
  closeSync(log);
  // Ready once it has exec'd, set its comm and listens.
  expect(await firstLine(child)).toBe('ready');
  pid = child.pid as number;
});

afterAll(cleanup);

/**
 * Nothing a terminal acts on or a reader is fooled by: no control character but the newlines
 * between lines, no format character, no separator, no lone surrogate; and no line forged by a
 * newline inside a name.
 */
function expectSafe(text: string): void {
  expect(text).not.toMatch(/(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u);
  expect(text).not.toMatch(/^\s*FAKE/m);
}

describe('hostile names in text for people', () => {
  it('inspect --env: path, comm, cwd, args, environment, descriptors', () => {
    const result = procmon(['inspect', String(pid), '--env']);
    expect(result.status, result.stderr).toBe(0);
    expectSafe(result.stdout);
    expectSafe(result.stderr);
    const { stdout } = result;
    expect(stdout).toContain(`process ${pid}  ${COMM_SHOWN}  `);
    expect(stdout).toContain(`path       ${folder}/${NAME_SHOWN}\n`);
    expect(stdout).toContain(`cwd        ${folder}/${CWD_SHOWN}\n`);
    expect(stdout).toContain(
      `args       '${folder}/${NAME_SHOWN}' '${COMM_SHOWN}' '${folder}/${SOCKET_SHOWN}' ${ARGS_SHOWN}\n`,
    );
    expect(stdout).toContain(`  ${ENV_SHOWN}\n`);
    expect(stdout).toContain(`${folder}/${LOG_SHOWN}\n`);
    expect(stdout).toContain(` unix stream ${folder}/${SOCKET_SHOWN} LISTEN\n`);
  });

  it('inspect as another user, which sees only the names the process gave itself', () => {
    const result = procmon(['inspect', String(pid), '--env'], asNobody);
    expect(result.status, result.stderr).toBe(0);
    expectSafe(result.stdout);
    expectSafe(result.stderr);
    expect(result.stdout).toContain(`process ${pid}  ${COMM_SHOWN}  `);
    expect(result.stdout).toContain('not read');
  });

  it('tree', () => {
    const result = procmon(['tree', String(pid)]);
    expect(result.status, result.stderr).toBe(0);
    expectSafe(result.stdout);
    // Pids are right-aligned to the widest one in the chain: compare from the pid on.
    expect(result.stdout.split('\n')[0]?.trimStart()).toBe(`${pid}  ${folder}/${NAME_SHOWN}`);
    const asOther = procmon(['tree', String(pid)], asNobody);
    expectSafe(asOther.stdout);
    expect(asOther.stdout.split('\n')[0]?.trimStart()).toBe(`${pid}  [${COMM_SHOWN}]`);
  });

  it('fds: a file and a unix socket named by the process', () => {
    const result = procmon(['fds', String(pid)]);
    expect(result.status, result.stderr).toBe(0);
    expectSafe(result.stdout);
    expect(result.stdout).toContain(`  ${folder}/${LOG_SHOWN}\n`);
    expect(result.stdout).toContain(` unix stream ${folder}/${SOCKET_SHOWN} LISTEN\n`);
  });

  it('env', () => {
    const result = procmon(['env', String(pid)]);
    expect(result.status, result.stderr).toBe(0);
    expectSafe(result.stdout);
    expect(result.stdout).toBe(`${ENV_SHOWN}\nPLAIN=plain\n`);
  });

  it('ps', () => {
    const result = procmon(['ps']);
    expect(result.status, result.stderr).toBe(0);
    expectSafe(result.stdout);
    const line = result.stdout.split('\n').find((text) => text.split(/\s+/)[1] === String(pid));
    // COMMAND, the last column: its arguments, the first its path.
    expect(line).toContain(` ${folder}/${NAME_SHOWN} `);
    expect(line).toMatch(
      new RegExp(`${escapeRegExp(` ${COMM_SHOWN} ${folder}/${SOCKET_SHOWN} ${ARGS_IN_COMMAND}`)}$`),
    );
  });

  it('hash of the process, and of a file by a hostile name that is missing', () => {
    const result = procmon(['hash', String(pid), '--algo', 'sha256']);
    expect(result.status, result.stderr).toBe(0);
    expectSafe(result.stdout);
    expect(result.stdout.split('\n')[0]).toBe(`process ${pid}  ${folder}/${NAME_SHOWN}  from exe`);
    const missing = procmon(['hash', `${folder}/missing-${NAME}`]);
    expect(missing.status).toBe(1);
    expectSafe(missing.stderr);
    expect(missing.stderr).toMatch(
      new RegExp(
        `^procmon: cannot hash ${escapeRegExp(`${folder}/missing-${NAME_SHOWN}`)}: ENOENT`,
      ),
    );
    expect(missing.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('hostile names in usage errors', () => {
  it('a pid that is not one, quoted by commander', () => {
    const result = procmon(['inspect', NAME]);
    expect(result.status).toBe(2);
    expectSafe(result.stderr);
    expect(result.stderr).toContain(`value '${NAME_SHOWN}' is invalid for argument 'pid'`);
  });
});

describe('hostile names in JSON for machines', () => {
  it('keeps the exact strings', () => {
    const result = procmon(['inspect', String(pid), '--env', '--json']);
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.comm).toBe(COMM);
    expect(report.path).toBe(exePath);
    expect(report.cwd).toBe(cwdPath);
    expect(report.args).toEqual([exePath, COMM, socketPath, ...ARGS]);
    expect(report.env).toEqual([
      [ENV_NAME, ENV_VALUE],
      ['PLAIN', 'plain'],
    ]);
    const stderr = report.descriptors.find((d: { fd: number }) => d.fd === 2);
    expect(stderr.target).toBe(logPath);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[[\]()\\.*+?^$|{}]/g, '\\$&');
}
