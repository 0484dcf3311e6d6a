// What people expect of a command-line tool, run as the built binary: --version, a suggestion
// for a mistyped command, exit status 2 for usage errors and 1 for failures, colour only where
// the terminal and the environment want it, and nothing but JSON on stdout with --json.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HUNG_CHILD_LIMIT } from '../../../test-support/processes.js';
import { onTerminal } from '../test/terminal.js';

const binary = new URL('../dist/procmon.js', import.meta.url).pathname;
const repositoryRoot = new URL('../../../', import.meta.url).pathname;

function procmon(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [binary, ...args], {
    encoding: 'utf8',
    ...HUNG_CHILD_LIMIT,
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...env },
  });
}

describe('habits', () => {
  it('--version and -V print the version of package.json', () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    for (const flag of ['--version', '-V']) {
      const run = procmon([flag]);
      expect(run.status).toBe(0);
      expect(run.stdout).toBe(`${version}\n`);
    }
  });

  it.each([
    ['tre', 'tree'],
    ['inspec', 'inspect'],
    ['fsd', 'fds'],
    ['hahs', 'hash'],
  ])(
    'a mistyped command %s: one line naming it and the command meant, status 2',
    (typed, meant) => {
      const run = procmon([typed, '1']);
      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.split('\n')[0]).toBe(
        `procmon: unknown command '${typed}' (did you mean '${meant}'?)`,
      );
    },
  );

  it('a word near no command: unknown, no suggestion; the word is escaped', () => {
    const run = procmon(['frobnicate\u001b[2J']);
    expect(run.status).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe("procmon: unknown command 'frobnicate\\x1b[2J'");
  });

  it.each([
    [['ps', '--bogus']],
    [['fds', '-1']],
    [['tree', '../1']],
    [['hash']],
    [['hash', 'self', '--algo', '']],
  ])('a usage error %j: status 2, nothing on stdout', (args) => {
    const run = procmon(args);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: /);
  });

  it('a failure (no such process): status 1, one line', () => {
    // pid_max is at most 2^22: this pid cannot exist.
    const run = procmon(['inspect', '2147483647']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('procmon: process 2147483647 does not exist\n');
  });

  it('help is an answer: status 0', () => {
    expect(procmon(['--help']).status).toBe(0);
    expect(procmon(['help']).status).toBe(0);
  });
});

// What decides colour besides the terminal. Node's hasColors() answers no wherever CI is set (but
// on CI services it knows by name), as CI runs these tests: cleared, and set where a test says.
const QUIET_ENV = {
  NO_COLOR: undefined,
  FORCE_COLOR: undefined,
  NODE_DISABLE_COLORS: undefined,
  CI: undefined,
};

/** procmon's output on a pseudo-terminal, with QUIET_ENV and then `env`. */
function terminalText(args: string[], env: NodeJS.ProcessEnv): string {
  const run = onTerminal(args, { env: { ...QUIET_ENV, ...env } });
  expect(run.status).toBe(0);
  return run.stdout;
}

describe('colour', () => {
  const ESC = '\u001b[';
  const args = ['inspect', 'self', '--no-checksums'];

  it('on a terminal with colours: coloured', () => {
    expect(terminalText(args, { TERM: 'xterm-256color' })).toContain(ESC);
  });

  it.each([
    ['NO_COLOR=1', { TERM: 'xterm-256color', NO_COLOR: '1' }],
    ['TERM=dumb', { TERM: 'dumb' }],
    ['CI=true (Node: no colour on an unknown CI)', { TERM: 'xterm-256color', CI: 'true' }],
  ])('on a terminal with %s: no colour', (_, env) => {
    const text = terminalText(args, env);
    expect(text).toMatch(/^process \d+ /);
    expect(text).not.toContain(ESC);
  });

  it('piped: no colour, unless FORCE_COLOR asks', () => {
    expect(procmon(args).stdout).not.toContain(ESC);
    expect(procmon(args, { FORCE_COLOR: '1' }).stdout).toContain(ESC);
  });
});

describe('pnpm procmon ... --json at the repository root', () => {
  it('prints only JSON on stdout (the build step speaks on stderr)', () => {
    const run = spawnSync('pnpm', ['procmon', 'inspect', 'self', '--json', '--no-checksums'], {
      cwd: repositoryRoot,
      encoding: 'utf8',
      ...HUNG_CHILD_LIMIT,
    });
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { pid: number; comm: string };
    expect(report.comm).toBe('node');
  }, 120_000);
});
