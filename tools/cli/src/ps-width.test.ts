// `procmon ps` on a terminal: each row cut to the terminal's width by display width (CJK and
// emoji take two columns), never inside a character; whole rows with --wide or when piped.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import stringWidth from 'string-width';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  firstLine,
  HUNG_CHILD_LIMIT,
  trackChild,
} from '../../../test-support/processes.js';
import { onTerminal } from '../test/terminal.js';

const binary = new URL('../dist/procmon.js', import.meta.url).pathname;
// Every character two columns wide: its first argument (argv[0]), so COMMAND starts with it.
const WIDE_ARG = '漢字テスト😀🎉かなカナ漢字テスト😀🎉かなカナ';

let child: ChildProcess;
let pid: number;

beforeAll(async () => {
  child = trackChild(
    spawn(process.execPath, ['-e', 'console.log("ready"); setInterval(() => {}, 1e6)'], {
      argv0: WIDE_ARG,
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  await firstLine(child);
  pid = child.pid as number;
});

afterAll(cleanup);

/** procmon's rows on a pseudo-terminal `columns` wide. */
function rowsOnTerminal(args: string[], columns: number, env: NodeJS.ProcessEnv = {}): string[] {
  const run = onTerminal(args, { columns, env: { NO_COLOR: '1', COLUMNS: undefined, ...env } });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.replaceAll('\r\n', '\n').trimEnd().split('\n');
}

const rowOf = (rows: readonly string[]) =>
  rows.find((row) => row.split(/\s+/)[1] === String(pid)) as string;

describe('procmon ps on a terminal', () => {
  it('cuts every row to the terminal width, by display width, at a character boundary', () => {
    const [header, ...rows] = rowsOnTerminal(['ps', '-p', String(pid), '--wide'], 60);
    const whole = rowOf(rows);
    // Everything before COMMAND is ASCII: the wide text starts under the title.
    const start = header?.indexOf('COMMAND') as number;
    expect(whole.slice(start).startsWith(`${WIDE_ARG} -e `)).toBe(true);
    for (const extra of [6, 7]) {
      const columns = start + extra;
      const cutRows = rowsOnTerminal(['ps', '-p', String(pid)], columns);
      for (const row of cutRows) expect(stringWidth(row)).toBeLessThanOrEqual(columns);
      const cut = rowOf(cutRows);
      // Three whole characters either way: the fourth is never split across the edge.
      // (the numbers before it move: %CPU, RSS)
      expect(cut.slice(start)).toBe([...WIDE_ARG].slice(0, 3).join(''));
      expect(stringWidth(cut)).toBe(extra === 6 ? columns : columns - 1);
    }
  });

  it('COLUMNS overrides the terminal width, as ps takes it', () => {
    const rows = rowsOnTerminal(['ps', '-p', String(pid)], 100, { COLUMNS: '50' });
    expect(Math.max(...rows.map((row) => stringWidth(row)))).toBe(50);
  });

  it('piped, rows are whole', () => {
    const run = spawnSync(process.execPath, [binary, 'ps', '-p', String(pid)], {
      encoding: 'utf8',
      ...HUNG_CHILD_LIMIT,
      env: { ...process.env, COLUMNS: '40' },
    });
    expect(rowOf(run.stdout.split('\n'))).toContain(`${WIDE_ARG} -e console.log("ready")`);
  });
});
