// Events are stamped on CLOCK_MONOTONIC (the kernel's `timestamp_ns`, `process.hrtime.bigint()`);
// a process's start time in stat is clock ticks since boot on CLOCK_BOOTTIME, which also counts
// time suspended. Node reads neither CLOCK_BOOTTIME nor USER_HZ, so the offset between the two
// clocks is measured from `<root>/uptime` (CLOCK_BOOTTIME, in hundredths of a second) against
// hrtime, and the ticks come from procfs's machine facts.

import type { Flow, ProcFS } from '@procmon/procfs';

const NS_PER_SECOND = 1_000_000_000n;
/** `/proc/uptime` is CLOCK_BOOTTIME cut down to hundredths of a second. */
const UPTIME_RESOLUTION_NS = 10_000_000n;

// The offset measured per ProcFS: it changes only when the machine suspends.
const offsets = new WeakMap<ProcFS, bigint>();

/**
 * An upper bound of CLOCK_BOOTTIME minus CLOCK_MONOTONIC, in ns. Upper, so that a process that
 * started before an event is never taken for one that started after it: uptime `U` read at a
 * monotonic time not before `before` means boottime minus monotonic < U + 10 ms - before.
 */
function* measureOffset(procfs: ProcFS): Flow<bigint> {
  const before = process.hrtime.bigint();
  const uptime = yield* procfs.flows.readSystemFile('uptime');
  const offset = uptimeNs(uptime) + UPTIME_RESOLUTION_NS - before;
  offsets.set(procfs, offset);
  return offset;
}

/**
 * The latest start time, in clock ticks since boot, that a process alive at `eventNs`
 * (CLOCK_MONOTONIC) can have: a later one is another process that reused the pid. One tick is
 * allowed for the measurement. With `remeasure`, the clocks' offset is measured again first
 * (the machine may have been suspended since it was).
 */
export function* latestStartTicks(
  procfs: ProcFS,
  eventNs: bigint,
  remeasure = false,
): Flow<number> {
  const { clockTicks } = yield* procfs.flows.machineFacts();
  const known = remeasure ? undefined : offsets.get(procfs);
  const offset = known ?? (yield* measureOffset(procfs));
  return ticksOf(eventNs + offset, clockTicks) + 1;
}

/** Nanoseconds of CLOCK_BOOTTIME as whole clock ticks, as the kernel rounds them (down). */
export function ticksOf(boottimeNs: bigint, clockTicks: number): number {
  if (boottimeNs < 0n) return -1;
  return Number((boottimeNs * BigInt(clockTicks)) / NS_PER_SECOND);
}

/** The first number of `/proc/uptime` ("12345.67 23456.78\n") in ns. */
export function uptimeNs(bytes: Uint8Array): bigint {
  const text = new TextDecoder('latin1').decode(bytes);
  const match = /^(\d{1,12})\.(\d{2}) /.exec(text);
  if (!match) throw new TypeError(`cannot read the uptime from ${JSON.stringify(text)}`);
  return BigInt(match[1] as string) * NS_PER_SECOND + BigInt(match[2] as string) * 10_000_000n;
}
