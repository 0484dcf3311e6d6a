// The async methods never hide sync I/O in their error paths: classifying an ENOENT reads the
// process's stat, and that read must be asynchronous too. Here `<pid>/stat` is a FIFO, whose
// open blocks until a writer comes: a sync open would freeze the event loop until then.
import { execFileSync, spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, tempRoot } from '../test/helpers.js';
import { ProcessGoneError } from './errors.js';
import { ProcFS } from './procfs.js';

afterAll(cleanup);

describe('an async read whose error path reads a stat that blocks', () => {
  it('keeps the event loop free', { timeout: 10_000 }, async () => {
    const root = tempRoot({ '123/cmdline': 'x\0' });
    const fifo = `${root}/123/stat`;
    execFileSync('mkfifo', [fifo]);
    const procfs = new ProcFS({ root });
    const events: string[] = [];
    // The writer unblocks the FIFO after a while either way, so a frozen loop ends too.
    const writer = spawn('sh', ['-c', `sleep 3; printf '123 (x) Z 1 ' > '${fifo}'`]);
    const writerDone = new Promise((resolve) => writer.once('exit', resolve));
    const timer = new Promise<void>((resolve) =>
      setTimeout(() => {
        events.push('timer');
        resolve();
      }, 20),
    );
    const read = procfs.promises.readFile(123, 'environ').then(
      () => events.push('resolved'),
      (error: unknown) => {
        events.push('rejected');
        return error;
      },
    );
    await timer;
    const error = await read;
    await writerDone;
    expect(events).toEqual(['timer', 'rejected']);
    expect(error).toBeInstanceOf(ProcessGoneError);
    expect((error as ProcessGoneError).zombie).toBe(true);
  });
});
