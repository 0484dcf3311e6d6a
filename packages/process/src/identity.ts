// A process is (pid, start time): pids are reused. And the program it runs is what its stat's
// addresses show (image.ts): execve keeps pid and start time. Every collector reads stat again
// after its reads, so nothing of two processes, or of two programs, is ever returned as one.
import { parseStat, type Stat } from '@procmon/parse';
import { type Flow, ProcessGoneError, type ProcFS } from '@procmon/procfs';
import { PidReusedError, ProgramChangedError } from './errors.js';
import { imageOf, isLoading, MAX_READINGS, type ProgramImage, sameImage } from './image.js';

/** One process's identity, and the program it was last seen running. */
export class Identity {
  readonly pid: number;
  /** Clock ticks after boot when it started (stat field 22). */
  readonly startTime: number;
  // The program as the last check saw it. A new object only when the program changed or was
  // being loaded, so `identity.image === before` means no exec was seen since `before`.
  #image: ProgramImage;
  readonly #onProgramChange: () => void;

  /** `onProgramChange` runs when a check sees another program (checksums of the old one go). */
  constructor(stat: Stat, onProgramChange: () => void = () => {}) {
    this.pid = stat.pid;
    this.startTime = stat.startTime;
    this.#image = imageOf(stat);
    this.#onProgramChange = onProgramChange;
  }

  get image(): ProgramImage {
    return this.#image;
  }

  /**
   * The stat now, checked to be this process's: PidReusedError when the pid changed hands,
   * ProcessGoneError when it exited. A program replaced since the last check is noted.
   */
  *current(procfs: ProcFS): Flow<Stat> {
    const stat = parseStat(yield* procfs.flows.readFile(this.pid, 'stat'));
    if (stat.startTime !== this.startTime) {
      throw new PidReusedError(
        this.pid,
        procfs.pathOf(this.pid, 'stat'),
        this.startTime,
        stat.startTime,
      );
    }
    if (!sameImage(stat, this.#image)) {
      this.#image = imageOf(stat);
      this.#onProgramChange();
    } else if (isLoading(stat)) {
      // Mid-exec: what was read may be half of the new program. A new object: no reading that
      // ends here counts as stable.
      this.#image = imageOf(stat);
    }
    return stat;
  }
}

/**
 * Runs `make()`'s flow, then checks the identity: a reused pid's data is never returned. A
 * program replaced meanwhile may have given fields of each program (or of one being loaded):
 * the flow runs again, and after MAX_READINGS readings that each saw a change,
 * ProgramChangedError.
 */
export function* checked<T>(procfs: ProcFS, identity: Identity, make: () => Flow<T>): Flow<T> {
  for (let attempt = 0; ; attempt++) {
    const image = identity.image;
    const result = yield* make();
    yield* identity.current(procfs);
    if (identity.image === image) return result;
    if (attempt === MAX_READINGS - 1) throw new ProgramChangedError(identity.pid, MAX_READINGS);
  }
}

/** How `collected` completes a result with the stat of its identity check. */
export interface Completion<T> {
  /** Whether the collector read nothing at all (then a process gone meanwhile is an error). */
  readNothing(result: T): boolean;
  /** Called with the check's stat, or with the error when the process exited before it. */
  finish?(result: T, stat: Stat | undefined, error?: unknown): void;
}

/**
 * As `checked`, for a collector that lists its failures: a process that exited during the reads
 * keeps what was read before (the rest is marked `gone` by the collector), and one that was gone
 * before anything was read throws ProcessGoneError. A reused pid throws PidReusedError.
 */
export function* collected<T>(
  procfs: ProcFS,
  identity: Identity,
  make: () => Flow<T>,
  completion: Completion<T>,
): Flow<T> {
  for (let attempt = 0; ; attempt++) {
    const image = identity.image;
    const result = yield* make();
    let stat: Stat;
    try {
      stat = yield* identity.current(procfs);
    } catch (error) {
      if (error instanceof PidReusedError || !(error instanceof ProcessGoneError)) throw error;
      if (completion.readNothing(result)) throw error;
      completion.finish?.(result, undefined, error);
      return result;
    }
    if (identity.image === image) {
      completion.finish?.(result, stat);
      return result;
    }
    if (attempt === MAX_READINGS - 1) throw new ProgramChangedError(identity.pid, MAX_READINGS);
  }
}
