// The `procmon ps` bench's whole-command side: which output lines are the crowd's (hand-written
// lines, and a live crowd this test starts), how commands are run and counted, and the figures
// derived from known times.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startCrowd, stopCrowd } from '../src/process-children.mjs';
import {
  COMMANDS,
  commandsTable,
  crowdLines,
  runCommand,
  timeCommands,
} from '../src/ps-commands.mjs';

const PS_AUX = [
  'USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND',
  'root       101  0.0  0.0   2304   896 ?        S    23:01   0:00 sleep 600 1 0.5',
  'root       102  0.0  0.0   2304   896 ?        S    23:01   0:00 sleep 600 2 0.5',
  // Another bench's crowd: same command, pid not ours.
  'root       999  0.0  0.0   2304   896 ?        S    23:01   0:00 sleep 600 1 0.5',
  // Our pid, another command (the pid was reused).
  'root       103  0.0  0.0   2304   896 ?        S    23:01   0:00 sleep 600 3 0.5 extra',
  // A pid in the arguments, not in the PID column.
  'root       104  0.0  0.0   2304   896 ?        S    23:01   0:00 sleep 600 101 0.5',
].join('\n');

const PROCMON_PS = [
  'USER   PID  PPID %CPU %MEM      VSZ    RSS STAT START TIME CONTAINER COMMAND',
  'root   101    50  0.0  0.0     2304    896 S    23:01 0:00 -         sleep 600 1 0.5',
  'root   103    50  0.0  0.0     2304    896 S    23:01 0:00 -         sleep 600 3 0.5',
].join('\n');

describe('crowdLines', () => {
  it("counts the lines whose PID is the crowd's and whose command is sleep 600 <i> 0.5", () => {
    expect(crowdLines(PS_AUX, [101, 102, 103])).toBe(2);
    expect(crowdLines(PROCMON_PS, [101, 102, 103])).toBe(2);
    expect(crowdLines(PS_AUX, [])).toBe(0);
  });

  it('finds every process of a live crowd in ps aux, and no other', async () => {
    const crowd = await startCrowd(5);
    try {
      const text = spawnSync('ps', ['aux'], { encoding: 'utf8' }).stdout;
      expect(crowdLines(text, crowd.pids)).toBe(5);
      expect(crowdLines(text, crowd.pids.slice(0, 2))).toBe(2);
    } finally {
      stopCrowd(crowd);
    }
  });
});

describe('runCommand', () => {
  it('gives what the command wrote to its stdout', () => {
    expect(runCommand(['printf', 'a\\nb']).stdout.toString()).toBe('a\nb');
  });

  it('throws naming the command and its exit status when it fails', () => {
    expect(() => runCommand(['sh', '-c', 'echo broken >&2; exit 3'])).toThrow(
      /sh -c .* exited 3: broken/,
    );
  });
});

describe('timeCommands', () => {
  it('runs every command the given number of times and orders each one’s figures', () => {
    const times = timeCommands(4, [
      { key: 'one', name: 'one', argv: ['true'] },
      { key: 'two', name: 'two', argv: ['sh', '-c', ':'] },
    ]);
    expect(Object.keys(times)).toEqual(['one', 'two']);
    for (const t of Object.values(times)) {
      expect(t.runs).toBe(4);
      expect(t.min).toBeLessThanOrEqual(t.median);
      expect(t.median).toBeLessThanOrEqual(t.max);
    }
  });
});

describe('commandsTable', () => {
  const known = (median: number) => ({ median, min: median - 1e6, max: median + 1e6, runs: 15 });
  const times = {
    psAux: known(100e6),
    procmonPs: known(300e6),
    nodeStartup: known(120e6),
    procmonVersion: known(160e6),
  };

  it('lists every command with its median, min, max and runs in milliseconds', () => {
    const { lines } = commandsTable('title', times, 1.5);
    expect(lines[0]).toBe('### title');
    expect(lines).toContain(`| ${COMMANDS[0].name} | 100.0 | 99.0 | 101.0 | 15 |`);
    expect(lines).toContain(`| ${COMMANDS[1].name} | 300.0 | 299.0 | 301.0 | 15 |`);
  });

  it('subtracts each startup from procmon ps and checks the ratio to ps aux', () => {
    const { lines, missed } = commandsTable('title', times, 1.5);
    // (300 - 120) / 100 = 1.80x: missed; (300 - 160) / 100 = 1.40x: met.
    expect(lines.at(-2)).toMatch(/minus Node startup.*180\.0 ms = \*\*1\.80x\*\*.*\*\*MISSED\*\*/);
    expect(lines.at(-1)).toMatch(/minus `procmon --version`.*140\.0 ms = \*\*1\.40x\*\*.*: met$/);
    expect(missed).toEqual([
      'procmon ps minus Node startup (`node -e 0`): 1.80x ps aux, target ≤1.5x',
    ]);
  });
});
