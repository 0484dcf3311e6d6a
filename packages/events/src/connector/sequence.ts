// Gaps in the proc connector's numbering. The kernel numbers proc events per CPU (cn_proc.c:
// `msg->seq = __this_cpu_inc_return(local_event.count) - 1`, the CPU written in proc_event.cpu),
// every event it sends to the group, acks included; a listener with the default filter (all
// events) receives every number. So a number skipped on a CPU is an event lost on the way.

/** The last number seen per CPU; how many were skipped before each new one. */
export class SequenceGaps {
  private readonly last = new Map<number, number>();

  /**
   * Records `seq` of `cpu`: how many numbers were skipped since the last one of that CPU (0 for
   * the first one seen, for the next number, and for a number not ahead of the last: a CPU's
   * counter only goes up, so that is not a loss, and the count starts again from it).
   */
  skippedBefore(cpu: number, seq: number): number {
    const last = this.last.get(cpu);
    this.last.set(cpu, seq);
    if (last === undefined) return 0;
    const ahead = (seq - last) >>> 0; // u32 wraps
    return ahead >= 1 && ahead < 0x80000000 ? ahead - 1 : 0;
  }

  /** Forgets every CPU: after an overrun, whose loss is reported already. */
  reset(): void {
    this.last.clear();
  }
}
