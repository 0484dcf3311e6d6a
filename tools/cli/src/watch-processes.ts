// What `procmon watch` knows of each running process, to show a user and a program beside events
// that carry only pids: the scan at start, then what the events say (an exec's details, a fork's
// copy of its parent, a comm or uid change), without reading /proc per event. Pure: no I/O.
import type { ProcessEvent } from '@procmon/events';

/** What is known of a process; a field never learned is undefined. */
export interface KnownProcess {
  ppid?: number | undefined;
  /** The effective uid (as ps's USER). */
  uid?: number | undefined;
  comm?: string | undefined;
  /** The executable's path. */
  path?: string | undefined;
  args?: string[] | undefined;
}

export class ProcessTable {
  readonly #processes = new Map<number, KnownProcess>();

  constructor(initial: Iterable<readonly [number, KnownProcess]> = []) {
    for (const [tgid, known] of initial) this.#processes.set(tgid, { ...known });
  }

  get size(): number {
    return this.#processes.size;
  }

  /** The process an event is about (a fork's: the new process, a copy of its parent). */
  of(event: ProcessEvent): KnownProcess | undefined {
    const tgid = subjectOf(event);
    return tgid === undefined ? undefined : this.#processes.get(tgid);
  }

  get(tgid: number): KnownProcess | undefined {
    return this.#processes.get(tgid);
  }

  /** What `event` teaches, before it is shown (an exec's line shows the new program). */
  learn(event: ProcessEvent): void {
    switch (event.type) {
      case 'fork': {
        if (event.childPid !== event.childTgid) return;
        const parent = this.#processes.get(event.parentTgid);
        this.#processes.set(event.childTgid, { ...parent, ppid: event.parentTgid });
        return;
      }
      case 'exec': {
        const before = this.#processes.get(event.tgid);
        // A new program: what was known of the old one's name and arguments is no longer true.
        const known: KnownProcess = { ppid: before?.ppid, uid: before?.uid };
        const details = event.details;
        if (details !== undefined) {
          if (details.ppid !== undefined) known.ppid = details.ppid;
          if (details.uids !== undefined) known.uid = details.uids[1];
          known.comm = details.comm;
          known.path = details.path;
          known.args = details.args;
        }
        this.#processes.set(event.tgid, known);
        return;
      }
      case 'comm':
        // A thread's own name is not the process's.
        if (event.pid === event.tgid) this.#update(event.tgid, { comm: event.comm });
        return;
      case 'uid':
        this.#update(event.tgid, { uid: event.effective });
        return;
      case 'resync':
        for (const tgid of event.gone) this.#processes.delete(tgid);
        for (const started of event.started) {
          if (!this.#processes.has(started.tgid))
            this.#processes.set(started.tgid, { ppid: started.ppid });
        }
        return;
      default:
        return;
    }
  }

  /** What `event` ends, after it is shown (an exit's line still shows the process). */
  forget(event: ProcessEvent): void {
    if (event.type === 'exit' && event.pid === event.tgid) this.#processes.delete(event.tgid);
  }

  #update(tgid: number, change: KnownProcess): void {
    const known = this.#processes.get(tgid);
    if (known !== undefined) Object.assign(known, change);
  }
}

/** The process (tgid) an event is about, or undefined for lost and resync. */
export function subjectOf(event: ProcessEvent): number | undefined {
  switch (event.type) {
    case 'fork':
      return event.childTgid;
    case 'lost':
    case 'resync':
      return undefined;
    default:
      return event.tgid;
  }
}
