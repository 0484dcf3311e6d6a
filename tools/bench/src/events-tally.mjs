// What a listener of the events bench keeps while the storm runs, shared by procmon's listener
// and the bare multicast floor: counts by type, the pids the bench matches against the storm's,
// loss reports, and the delay from the kernel's timestamp to delivery. Then one JSON summary.

export class Tally {
  counts = { fork: 0, exec: 0, exit: 0, other: 0, lost: 0, resync: 0 };
  lost = { overrun: 0, 'sequence-gap': 0, 'queue-full': 0, dropped: 0, counted: 0 };
  // Child pids of process forks, pids of execs and of process exits.
  forkPids = [];
  execPids = [];
  // With enrichment, per exec (same index as execPids): 'complete', 'partial' or 'none'.
  execDetails = [];
  exitPids = [];
  delays = new Float64Array(1 << 16);
  delayCount = 0;

  /** A kernel event delivered at `now` (hrtime ns), stamped `timestampNs` by the kernel. */
  event(type, pid, now, timestampNs) {
    if (type === 'fork' || type === 'exec' || type === 'exit') this.counts[type]++;
    else this.counts.other++;
    if (pid !== undefined) {
      if (type === 'fork') this.forkPids.push(pid);
      else if (type === 'exec') this.execPids.push(pid);
      else if (type === 'exit') this.exitPids.push(pid);
    }
    if (this.delayCount === this.delays.length) {
      const bigger = new Float64Array(this.delays.length * 2);
      bigger.set(this.delays);
      this.delays = bigger;
    }
    this.delays[this.delayCount++] = Number(now - timestampNs);
  }

  loss(reason, count) {
    this.counts.lost++;
    this.lost[reason]++;
    this.lost.counted += count ?? 0;
  }

  /** The summary line: `cpu` is process.cpuUsage() over the run. */
  summary(cpu, extra = {}) {
    const n = this.delayCount;
    const sorted = this.delays.subarray(0, n).sort();
    const at = (q) => (n === 0 ? null : sorted[Math.min(n - 1, Math.floor(q * n))]);
    return {
      counts: this.counts,
      lost: this.lost,
      cpuMs: (cpu.user + cpu.system) / 1000,
      cpuSplitMs: { user: cpu.user / 1000, system: cpu.system / 1000 },
      delayNs: { median: at(0.5), p99: at(0.99), max: n ? sorted[n - 1] : null, samples: n },
      forkPids: this.forkPids,
      execPids: this.execPids,
      execDetails: this.execDetails,
      exitPids: this.exitPids,
      ...extra,
    };
  }
}

/** Prints one JSON line on stdout. */
export const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
