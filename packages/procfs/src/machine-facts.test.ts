// Machine facts: page size and clock ticks from auxv, boot time from the btime line of stat.
// Live values are checked against getconf and /proc/stat; the fixture's against what the capture
// recorded (getconf and the btime line at capture time).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import {
  apiOf,
  bytesOf,
  call,
  cleanup,
  errorOf,
  expected,
  expectProcfsError,
  fixtureBytes,
  fixtureProcFS,
  modes,
  tempRoot,
} from '../test/helpers.js';
import { ProcfsError } from './errors.js';
import type { Backend } from './flow.js';
import {
  bootTimeFromStat,
  factsFromAuxv,
  type MachineFacts,
  uptimeFromBytes,
} from './machine-facts.js';
import { nodeBackend } from './node-backend.js';
import type { Op } from './ops.js';
import { ProcFS } from './procfs.js';

afterAll(cleanup);

const getconf = (name: string): number => Number(execFileSync('getconf', [name]).toString().trim());
const liveBtime = (): number => {
  const match = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'latin1'));
  if (!match) throw new Error('/proc/stat has no btime line');
  return Number(match[1]);
};

/** An auxv of 64-bit (type, value) pairs, in this machine's byte order, ending with AT_NULL. */
function auxvOf(pairs: [number, number][]): Uint8Array {
  const bytes = new Uint8Array((pairs.length + 1) * 16);
  const view = new DataView(bytes.buffer);
  const little = endianness() === 'LE';
  pairs.forEach(([type, value], index) => {
    view.setBigUint64(index * 16, BigInt(type), little);
    view.setBigUint64(index * 16 + 8, BigInt(value), little);
  });
  return bytes;
}
const AT_PAGESZ = 6;
const AT_CLKTCK = 17;
const AT_UID = 11;

describe.each(modes)('machineFacts (%s)', (mode) => {
  it('reads the live page size, clock ticks and boot time', async () => {
    const facts = await call(mode, () => apiOf(new ProcFS(), mode).machineFacts());
    expect(facts).toEqual({
      pageSize: getconf('PAGESIZE'),
      clockTicks: getconf('CLK_TCK'),
      bootTimeSeconds: liveBtime(),
    });
  });

  it('reads the facts of the fixture root (a real auxv and stat)', async () => {
    const facts = await call(mode, () => apiOf(fixtureProcFS(), mode).machineFacts());
    expect(facts).toEqual(expected.machine);
  });

  it('refuses an auxv without a clock tick entry (EINVAL, naming self/auxv)', async () => {
    const root = tempRoot({
      'self/auxv': auxvOf([
        [AT_UID, 0],
        [AT_PAGESZ, 4096],
      ]),
      stat: fixtureBytes('stat'),
    });
    const error = await errorOf(mode, () => apiOf(new ProcFS({ root }), mode).machineFacts());
    expectProcfsError(error, {
      type: ProcfsError,
      pid: undefined,
      path: `${root}/self/auxv`,
      code: 'EINVAL',
    });
  });

  it('refuses a stat without a btime line (EINVAL, naming stat)', async () => {
    const root = tempRoot({
      'self/auxv': fixtureBytes('self/auxv'),
      stat: 'cpu  1 2 3\nctxt 5\nprocesses 7\n',
    });
    const error = await errorOf(mode, () => apiOf(new ProcFS({ root }), mode).machineFacts());
    expectProcfsError(error, {
      type: ProcfsError,
      pid: undefined,
      path: `${root}/stat`,
      code: 'EINVAL',
    });
  });

  it('takes the values from a crafted root, not from this machine', async () => {
    const root = tempRoot({
      'self/auxv': auxvOf([
        [AT_CLKTCK, 250],
        [AT_UID, 0],
        [AT_PAGESZ, 65536],
      ]),
      stat: 'cpu  1 2 3\nbtime 1234567890\nprocesses 7\n',
    });
    const facts = await call(mode, () => apiOf(new ProcFS({ root }), mode).machineFacts());
    expect(facts).toEqual({ pageSize: 65536, clockTicks: 250, bootTimeSeconds: 1234567890 });
  });

  it("gives a backend's own facts (a snapshot's) and reads nothing", async () => {
    const given = { pageSize: 16384, clockTicks: 300, bootTimeSeconds: 1_600_000_000 };
    const { backend, ops } = recordingBackend(given);
    const facts = await call(mode, () => apiOf(new ProcFS({ backend }), mode).machineFacts());
    expect(facts).toEqual(given);
    expect(ops).toEqual([]);
  });
});

describe('factsFromAuxv', () => {
  it('reads the real auxv bytes of the fixture', () => {
    expect(factsFromAuxv(fixtureBytes('self/auxv'))).toEqual({
      pageSize: expected.machine.pageSize,
      clockTicks: expected.machine.clockTicks,
    });
  });

  it('stops at AT_NULL and needs both entries', () => {
    const early = auxvOf([[AT_PAGESZ, 4096]]);
    const after = auxvOf([[AT_CLKTCK, 100]]);
    const joined = new Uint8Array(early.length + after.length);
    joined.set(early);
    joined.set(after, early.length);
    expect(factsFromAuxv(joined)).toBeUndefined();
    expect(factsFromAuxv(auxvOf([[AT_CLKTCK, 100]]))).toBeUndefined();
    expect(factsFromAuxv(new Uint8Array())).toBeUndefined();
  });

  it('reads an auxv that sits at an offset in a larger buffer', () => {
    const auxv = auxvOf([
      [AT_PAGESZ, 16384],
      [AT_CLKTCK, 1000],
    ]);
    const larger = new Uint8Array(auxv.length + 8);
    larger.set(auxv, 8);
    expect(factsFromAuxv(larger.subarray(8))).toEqual({ pageSize: 16384, clockTicks: 1000 });
  });
});

describe('bootTimeFromStat', () => {
  it.each([
    ['in the middle', 'cpu  1\nbtime 1700000000\nprocesses 2\n', 1700000000],
    ['on the first line', 'btime 1700000001\ncpu  1\n', 1700000001],
    ['last, without a newline', 'cpu  1\nbtime 1700000002', 1700000002],
    ['absent', 'cpu  1\nprocesses 2\n', undefined],
    ['empty', 'cpu  1\nbtime \n', undefined],
    ['not a number', 'cpu  1\nbtime soon\n', undefined],
    ['only as part of a longer name', 'cpu  1\nxbtime 5\n', undefined],
  ])('finds btime %s', (_, text, seconds) => {
    expect(bootTimeFromStat(bytesOf(text))).toBe(seconds);
  });

  it('finds the btime of the live /proc/stat', () => {
    expect(bootTimeFromStat(new Uint8Array(readFileSync('/proc/stat')))).toBe(liveBtime());
  });
});

describe.each(modes)('machineMoment (%s)', (mode) => {
  it("reads this machine's uptime and wall clock, between two readings taken around it", async () => {
    const uptimeNow = () => Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]);
    const [wallBefore, uptimeBefore] = [Date.now(), uptimeNow()];
    const moment = await call(mode, () => apiOf(new ProcFS(), mode).machineMoment());
    const [wallAfter, uptimeAfter] = [Date.now(), uptimeNow()];
    expect(moment.wallMs).toBeGreaterThanOrEqual(wallBefore);
    expect(moment.wallMs).toBeLessThanOrEqual(wallAfter);
    expect(moment.uptimeSeconds).toBeGreaterThanOrEqual(uptimeBefore);
    expect(moment.uptimeSeconds).toBeLessThanOrEqual(uptimeAfter);
  });

  it('takes the seconds since boot from a crafted root, not from this machine', async () => {
    const root = tempRoot({ uptime: '42.50 80.00\n' });
    const moment = await call(mode, () => apiOf(new ProcFS({ root }), mode).machineMoment());
    expect(moment.uptimeSeconds).toBe(42.5);
  });

  it('refuses an uptime that does not start with seconds (EINVAL, naming uptime)', async () => {
    const root = tempRoot({ uptime: 'soon\n' });
    const error = await errorOf(mode, () => apiOf(new ProcFS({ root }), mode).machineMoment());
    expectProcfsError(error, {
      type: ProcfsError,
      pid: undefined,
      path: `${root}/uptime`,
      code: 'EINVAL',
    });
  });

  it("gives a backend's capture moment (a snapshot's) and reads nothing", async () => {
    const capturedAt = { wallMs: 1_700_000_000_123, uptimeSeconds: 3600.25 };
    const { backend, ops } = recordingBackend({
      pageSize: 4096,
      clockTicks: 100,
      bootTimeSeconds: 1_699_996_400,
      capturedAt,
    });
    const moment = await call(mode, () => apiOf(new ProcFS({ backend }), mode).machineMoment());
    expect(moment).toEqual(capturedAt);
    expect(ops).toEqual([]);
  });
});

describe('uptimeFromBytes', () => {
  it('reads the first number and refuses what is not one', () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    expect(uptimeFromBytes(bytes('12345.67 23456.78\n'))).toBe(12345.67);
    expect(uptimeFromBytes(bytes('7 9\n'))).toBe(7);
    expect(uptimeFromBytes(bytes('-1.00 2.00\n'))).toBeUndefined();
    expect(uptimeFromBytes(bytes('1e9 2\n'))).toBeUndefined();
    expect(uptimeFromBytes(bytes(''))).toBeUndefined();
  });
});

/** nodeBackend carrying `machineFacts`, with every op it performs recorded in `ops`. */
function recordingBackend(machineFacts: MachineFacts): { backend: Backend; ops: string[] } {
  const ops: string[] = [];
  const backend: Backend = {
    ...nodeBackend,
    name: 'with-facts',
    machineFacts,
    perform(op: Op, root: string) {
      ops.push(op.kind);
      return nodeBackend.perform(op, root);
    },
    performAsync(op: Op, root: string) {
      ops.push(op.kind);
      return nodeBackend.performAsync(op, root);
    },
  };
  return { backend, ops };
}
