// A forged refusal of our LISTEN, live as root: another process with CAP_NET_ADMIN asks the proc
// connector with our LISTEN's ack and a bad op, and the kernel multicasts an answer that looks
// like our LISTEN refused (EINVAL). The source must not stop on it: its LISTEN was answered.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { cleanup, eventually, exited, trackChild } from '../../../test-support/processes.js';
import { openConnectorSource } from '../src/connector/connector-source.js';
import type { ProcessEvent } from '../src/types.js';

// The LISTEN's ack is random: known here so the forger can use it.
const KNOWN_ACK = 424242;
vi.mock('node:crypto', async (original) => ({
  ...(await original<typeof import('node:crypto')>()),
  randomInt: () => KNOWN_ACK,
}));

const isRoot = process.getuid?.() === 0;
const PYTHON = '/usr/bin/python3';

afterEach(cleanup);

describe.runIf(isRoot)('a forged answer to our LISTEN (root)', () => {
  test('op 99 asked with our ack by another process does not stop the source', async () => {
    const events: ProcessEvent[] = [];
    const failures: Error[] = [];
    const source = openConnectorSource({
      push: (event) => events.push(event),
      fail: (error) => failures.push(error),
    });
    try {
      // Our own answer first: a child's fork is seen once the LISTEN took effect.
      const first = trackChild(spawn('/bin/true'));
      await exited(first);
      await eventually(
        () => events.find((event) => event.type === 'exit' && event.tgid === first.pid),
        'the first child exit',
      );
      const forger = fileURLToPath(new URL('./ack-forger.py', import.meta.url));
      const sent = spawnSync(PYTHON, [forger, String(KNOWN_ACK)], { encoding: 'utf8' });
      expect(sent.stdout).toContain('sent');
      const second = trackChild(spawn('/bin/true'));
      await exited(second);
      await eventually(
        () =>
          events.find((event) => event.type === 'exit' && event.tgid === second.pid) ??
          (failures.length > 0 ? failures : undefined),
        'the second child exit, or a failure',
      );
      expect(failures.map((error) => error.message)).toEqual([]);
      expect(events.some((event) => event.type === 'exit' && event.tgid === second.pid)).toBe(true);
    } finally {
      source.close();
    }
  });
});
