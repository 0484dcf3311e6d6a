// The facts about the machine that parsers need to turn pages and clock ticks into bytes and
// times. Node exposes neither sysconf(_SC_PAGESIZE) nor sysconf(_SC_CLK_TCK); the kernel hands
// both to every process in its auxiliary vector, readable as <root>/self/auxv.
import { classified } from './classify.js';
import { absolute, type ProcfsContext } from './context.js';
import { ProcfsError } from './errors.js';
import { type Flow, performAll } from './flow.js';
import { wordLayout } from './machine-word.js';

export interface MachineFacts {
  /** Bytes per page (`AT_PAGESZ`), for statm and the rss field of stat. */
  pageSize: number;
  /** Clock ticks per second (`AT_CLKTCK`, USER_HZ), for the times in stat. */
  clockTicks: number;
  /** When the machine booted, in whole seconds since the epoch (`btime` in <root>/stat). */
  bootTimeSeconds: number;
}

const AT_NULL = 0;
const AT_PAGESZ = 6;
const AT_CLKTCK = 17;

/** Page size and clock ticks from the bytes of an auxv file, or undefined if either is absent. */
export function factsFromAuxv(
  auxv: Uint8Array,
): Pick<MachineFacts, 'pageSize' | 'clockTicks'> | undefined {
  const view = new DataView(auxv.buffer, auxv.byteOffset, auxv.byteLength);
  const { bytes: wordBytes, littleEndian: little } = wordLayout();
  const word = (offset: number) =>
    wordBytes === 8 ? Number(view.getBigUint64(offset, little)) : view.getUint32(offset, little);
  let pageSize: number | undefined;
  let clockTicks: number | undefined;
  for (let offset = 0; offset + 2 * wordBytes <= auxv.length; offset += 2 * wordBytes) {
    const type = word(offset);
    if (type === AT_NULL) break;
    if (type === AT_PAGESZ) pageSize = word(offset + wordBytes);
    else if (type === AT_CLKTCK) clockTicks = word(offset + wordBytes);
  }
  if (!pageSize || !clockTicks) return undefined;
  return { pageSize, clockTicks };
}

/** The `btime` line of <root>/stat, or undefined if it has none. */
export function bootTimeFromStat(stat: Uint8Array): number | undefined {
  const text = new TextDecoder('latin1').decode(stat);
  const start = text.startsWith('btime ') ? 0 : text.indexOf('\nbtime ') + 1;
  if (start === 0 && !text.startsWith('btime ')) return undefined;
  const end = text.indexOf('\n', start);
  const digits = text.slice(start + 6, end === -1 ? undefined : end);
  if (!/^[1-9][0-9]{0,15}$/.test(digits)) return undefined;
  const value = Number(digits);
  return Number.isSafeInteger(value) ? value : undefined;
}

// The facts of each ProcFS once read: they never change while the machine runs.
const known = new WeakMap<ProcfsContext, MachineFacts>();

/**
 * Page size, clock ticks per second and boot time, read once from `<root>/self/auxv` and
 * `<root>/stat`, then kept for the context; or the backend's own (a snapshot's manifest: the
 * captured machine's facts, not those of the machine reading it).
 */
export function* machineFacts(context: ProcfsContext): Flow<MachineFacts> {
  const given = context.backend?.machineFacts;
  if (given) return given;
  const facts = known.get(context);
  if (facts) return facts;
  const paths = ['self/auxv', 'stat'];
  const outcomes = yield* performAll(
    paths.map((path) => ({ kind: 'read', path, maxBytes: context.maxBytes })),
  );
  const bytes: Uint8Array[] = [];
  for (let i = 0; i < paths.length; i++) {
    const outcome = outcomes[i];
    const shown = absolute(context, paths[i] as string);
    if (!outcome?.ok) throw yield* classified(context, outcome?.error, undefined, shown, 'read');
    bytes.push(outcome.value as Uint8Array);
  }
  const auxv = factsFromAuxv(bytes[0] as Uint8Array);
  const bootTimeSeconds = bootTimeFromStat(bytes[1] as Uint8Array);
  if (!auxv || bootTimeSeconds === undefined) {
    const path = absolute(context, auxv ? 'stat' : 'self/auxv');
    const problem = auxv ? 'has no btime line' : 'has no page size or clock ticks';
    throw new ProcfsError(`cannot tell the machine facts: ${path} ${problem}`, {
      pid: undefined,
      path,
      code: 'EINVAL',
    });
  }
  const read = { ...auxv, bootTimeSeconds };
  known.set(context, read);
  return read;
}
