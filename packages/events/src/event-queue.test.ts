// EventQueue's bound in bytes: a process chooses its arguments, so a slow consumer's queue of
// execs with large details is cut by their size, not only by their number; the drop is then
// reported as any other (lost with the exact count, then the resync).
import { describe, expect, it } from 'vitest';
import { EventQueue, HIGH_WATER_BYTES } from './event-queue.js';
import type { ExecEvent, ProcessEvent, ResyncEvent } from './types.js';

const RESYNC: ResyncEvent = {
  type: 'resync',
  running: [],
  started: [],
  gone: [],
  source: 'connector',
  timestampNs: 1n,
};

function queue(highWaterMark: number, highWaterBytes?: number) {
  return new EventQueue(
    highWaterMark,
    {
      snapshot: () => 'picture',
      resync: () => RESYNC,
      source: () => 'connector',
      detach: () => {},
    },
    highWaterBytes,
  );
}

/** An exec whose details hold `argChars` characters of arguments (as 16 arguments). */
function bigExec(tgid: number, argChars: number): ExecEvent {
  const arg = 'A'.repeat(argChars / 16);
  return {
    type: 'exec',
    pid: tgid,
    tgid,
    timestampNs: 2n,
    source: 'connector',
    details: { path: '/bin/true', args: Array.from({ length: 16 }, () => arg), missing: {} },
  };
}

async function takeAll(taken: EventQueue, count: number): Promise<ProcessEvent[]> {
  const events: ProcessEvent[] = [];
  for (let i = 0; i < count; i++) events.push((await taken.next()).value as ProcessEvent);
  return events;
}

describe('EventQueue', () => {
  it('by default holds at most 256 MiB of details, however high its highWaterMark', () => {
    // 16 references to one string of 1 Mi characters: 32 MiB as counted (UTF-16), though the
    // test holds one string. 7 of them and their overhead fit in 256 MiB; the 8th would not.
    const held = queue(16_384);
    const arg = 'A'.repeat(1024 * 1024);
    for (let i = 0; i < 20; i++) {
      const event = bigExec(i, 16);
      (event.details as { args: string[] }).args = Array.from({ length: 16 }, () => arg);
      held.push(event);
    }
    expect(held.length).toBe(7);
    expect(7 * 32 * 1024 * 1024).toBeLessThan(HIGH_WATER_BYTES);
    expect(8 * 32 * 1024 * 1024).toBeGreaterThanOrEqual(HIGH_WATER_BYTES);
  });

  it('drops execs past its bytes though under its count, then reports the exact number lost', async () => {
    // 1 MiB of arguments (2 MiB as UTF-16) each, 5 MiB allowed: two are held, eight dropped.
    const held = queue(16_384, 5 * 1024 * 1024);
    for (let i = 0; i < 10; i++) held.push(bigExec(100 + i, 1024 * 1024));
    expect(held.length).toBe(2);
    const events = await takeAll(held, 4);
    expect(events.map((event) => event.type)).toEqual(['exec', 'exec', 'lost', 'resync']);
    expect(events.slice(0, 2).map((event) => 'tgid' in event && event.tgid)).toEqual([100, 101]);
    expect(events[2]).toMatchObject({ type: 'lost', reason: 'queue-full', count: 8 });
    // Taken, their bytes are free again: two more fit.
    for (let i = 0; i < 3; i++) held.push(bigExec(200 + i, 1024 * 1024));
    expect(held.length).toBe(2);
  });

  it('counts small events by number as before', () => {
    const held = queue(3);
    for (let i = 0; i < 5; i++) held.push(bigExec(i, 16));
    expect(held.length).toBe(3);
  });
});
