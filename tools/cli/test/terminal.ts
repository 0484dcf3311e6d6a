// The built procmon run with a pseudo-terminal as its stdout (python3's pty module), for what
// depends on a terminal: colour, and rows cut to its width.
import { spawnSync } from 'node:child_process';
import { HUNG_CHILD_LIMIT } from '../../../test-support/processes.js';

const binary = new URL('../dist/procmon.js', import.meta.url).pathname;

// Copies what the terminal received to stdout.
const PTY_PROGRAM = [
  'import os, pty, sys',
  'out = []',
  'def read(fd):',
  '    data = os.read(fd, 65536)',
  '    out.append(data)',
  '    return data',
  'pty.spawn(sys.argv[1:], read)',
  'sys.stdout.buffer.write(b"".join(out))',
].join('\n');

export interface TerminalOptions {
  /** The terminal's width (`stty cols`); the pty's default when absent. */
  columns?: number;
  /** Set over the test's own environment (a value undefined removes the variable). */
  env?: NodeJS.ProcessEnv;
}

/** What procmon wrote to the terminal (lines end in \r\n there), and how it ended. */
export function onTerminal(args: readonly string[], options: TerminalOptions = {}) {
  const command =
    options.columns === undefined
      ? [process.execPath, binary, ...args]
      : [
          'sh',
          '-c',
          `stty cols ${options.columns} && exec "$0" "$@"`,
          process.execPath,
          binary,
          ...args,
        ];
  return spawnSync('python3', ['-c', PTY_PROGRAM, ...command], {
    encoding: 'utf8',
    ...HUNG_CHILD_LIMIT,
    env: { ...process.env, ...options.env },
  });
}
