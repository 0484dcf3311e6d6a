// A process chooses its arguments: 8 of the largest the kernel takes (128 KiB each), holding one
// non-ASCII character each, once stalled `procmon ps` for minutes (string-width's time grows with
// the square of the text's length, and every COMMAND was measured whole). ps must answer, piped
// and on a terminal, with the row cut there. Time is not asserted: a stall fails by the test's
// own limit.
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  firstLine,
  HUNG_CHILD_LIMIT,
  trackChild,
} from '../../../test-support/processes.js';
import { onTerminal } from '../test/terminal.js';
import { cutToWidth } from './display-width.js';

const binary = new URL('../dist/procmon.js', import.meta.url).pathname;
// MAX_ARG_STRLEN is 32 pages: 131,072 bytes with the NUL; é is two bytes.
const ARG = `${'x'.repeat(131_000)}é`;
const SCRIPT = 'console.log("ready"); setInterval(() => {}, 1e6)';

let pid: number;

beforeAll(async () => {
  const child = trackChild(
    spawn(process.execPath, ['-e', SCRIPT, ...Array(8).fill(ARG)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  await firstLine(child);
  pid = child.pid as number;
});

afterAll(cleanup);

describe('procmon ps with a process holding a megabyte of arguments', () => {
  /** The process's row of `procmon ps -p <pid>`, piped. */
  function pipedRow(): string | undefined {
    const run = spawnSync(process.execPath, [binary, 'ps', '-p', String(pid)], {
      encoding: 'utf8',
      ...HUNG_CHILD_LIMIT,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(run.status, run.stderr).toBe(0);
    return run.stdout.split('\n').find((line) => line.split(/\s+/)[1] === String(pid));
  }

  it('piped: the whole command, every argument', () => {
    const row = pipedRow();
    expect(row?.endsWith(` ${ARG}`)).toBe(true);
    expect(row?.split(ARG)).toHaveLength(9);
  });

  it('on a terminal of 80 columns: cut to 80', () => {
    const run = onTerminal(['ps', '-p', String(pid)], {
      columns: 80,
      env: { NO_COLOR: '1', COLUMNS: undefined },
    });
    expect(run.status, run.stderr).toBe(0);
    const row = run.stdout.split('\r\n').find((line) => line.split(/\s+/)[1] === String(pid));
    // Every character of the row is ASCII here: 80 of them, ending in the start of the command.
    expect(row).toHaveLength(80);
    const shown = (row as string).slice((row as string).indexOf(process.execPath));
    expect(shown.length).toBeGreaterThan(0);
    expect(`${process.execPath} -e ${SCRIPT} ${ARG}`.startsWith(shown)).toBe(true);
  });
});

describe('cutToWidth', () => {
  it('looks at no more of a long text than could fit, and never cuts a grapheme', () => {
    expect(cutToWidth(`${'漢'.repeat(500_000)}é`, 7)).toBe('漢漢漢');
    // e + a combining acute accent is one grapheme, two code units: kept whole or left out.
    expect(cutToWidth('ab\u0065\u0301cd', 3)).toBe('ab\u0065\u0301');
    expect(cutToWidth(`${'e\u0301'.repeat(1000)}`, 4)).toBe('e\u0301'.repeat(4));
  });
});
