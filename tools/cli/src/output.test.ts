// Output that cannot be written, with the built binary: a full device is one line on stderr and
// status 1, never status 0 and an empty file; a reader that went away is a quiet non-zero status,
// never a stack trace.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, HUNG_CHILD_LIMIT, trackChild } from '../../../test-support/processes.js';

const binary = new URL('../dist/procmon.js', import.meta.url).pathname;
const env = { ...process.env, NO_COLOR: '1' };

afterAll(cleanup);

describe('stdout on a full device (/dev/full)', () => {
  it.each([[['ps']], [['ps', '--json']], [['inspect', '--json']], [['--help']]])(
    '%j: one line on stderr, status 1',
    (args) => {
      const full = openSync('/dev/full', 'w');
      try {
        const result = spawnSync(process.execPath, [binary, ...args], {
          stdio: ['ignore', full, 'pipe'],
          encoding: 'utf8',
          ...HUNG_CHILD_LIMIT,
          env,
        });
        expect(result.status).toBe(1);
        expect(result.stderr).toBe(
          'procmon: cannot write output: no space left on device (ENOSPC)\n',
        );
      } finally {
        closeSync(full);
      }
    },
  );

  it('a usage error is still said on stderr, with its status', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const result = spawnSync(process.execPath, [binary, 'inspect', 'abc'], {
        stdio: ['ignore', full, 'pipe'],
        encoding: 'utf8',
        ...HUNG_CHILD_LIMIT,
        env,
      });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('"abc" is not a process id');
    } finally {
      closeSync(full);
    }
  });
});

/** Collects a child's stderr; resolves with it and the exit status once its pipes have closed. */
function outcome(child: ChildProcess): Promise<{ status: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stderr })));
}

describe('a reader that went away', () => {
  it('closed before anything was written: no message, non-zero status', async () => {
    // The shell waits for a line on stdin before it starts procmon: the read end of procmon's
    // stdout is closed by then, so its first write fails with EPIPE, every time.
    const child = trackChild(
      spawn('sh', ['-c', `read go && exec "${process.execPath}" "${binary}" ps`], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env,
      }),
    );
    child.stdout?.destroy();
    child.stdin?.end('go\n');
    const { status, stderr } = await outcome(child);
    expect(stderr).toBe('');
    expect(status).toBe(141);
  });

  it('| head -1 on more than a pipe holds: the first line, no stack trace', async () => {
    // An environment of about 1 MiB: far more than the pipe and head's first read take.
    const big = Object.fromEntries(
      Array.from({ length: 8 }, (_, i) => [`BIG${i}`, 'x'.repeat(120_000)]),
    );
    const sleeper = trackChild(spawn('sleep', ['60'], { env: big, stdio: 'ignore' }));
    await new Promise((resolve) => sleeper.once('spawn', resolve));
    // Until exec completes the pid still runs a fork of this test: wait for sleep's own environ.
    const pid = sleeper.pid as number;
    const shell = trackChild(
      spawn(
        'bash',
        [
          '-o',
          'pipefail',
          '-c',
          `until grep -q BIG7 /proc/${pid}/environ; do sleep 0.01; done; "${process.execPath}" "${binary}" env ${pid} | head -1`,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'], env },
      ),
    );
    let stdout = '';
    shell.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    const { status, stderr } = await outcome(shell);
    expect(stdout).toBe(`BIG0=${'x'.repeat(120_000)}\n`);
    expect(stderr).toBe('');
    // pipefail: the status is procmon's, which saw EPIPE.
    expect(status).toBe(141);
  });
});
