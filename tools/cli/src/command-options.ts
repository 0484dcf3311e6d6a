// What several commands share: --json, --from, --algo, and how a report is printed. Kept apart
// from procmon.ts so each group of commands can be registered from its own file.
import { Option } from 'commander';
import { parseAlgorithmList } from './arguments.js';
import { writeOut } from './output.js';

export interface JsonOption {
  json?: boolean;
}

export interface FromOption {
  /** A snapshot file to read instead of this machine (`--from FILE`). */
  from?: string;
}

const FROM_HELP = 'read a snapshot file (from procmon snapshot -o FILE) instead of this machine';

/** `--from <file>`: the same answers from a snapshot. */
export const fromOption = (): Option => new Option('--from <file>', FROM_HELP);

/**
 * `--from` on a command a snapshot cannot answer: accepted, so that the answer is why not, rather
 * than commander's "unknown option".
 */
export const refusedFromOption = (): Option => new Option('--from <file>').hideHelp();

/** Refuses `--from` on a command whose data no snapshot holds. */
export async function refuseFrom(options: FromOption, command: string, why: string): Promise<void> {
  if (options.from === undefined) return;
  const { notFromSnapshot } = await import('./source-option.js');
  throw notFromSnapshot(command, why);
}

/** `--algo <list>`, parsed to names; `fallback` is the list without it. */
export function algorithmOption(description: string, fallback: string): Option {
  return new Option('--algo <list>', description)
    .argParser(parseAlgorithmList)
    .default(parseAlgorithmList(fallback), fallback);
}

/** Prints `report` as JSON with --json, else as text for people; resolves once it is written. */
export async function print<T>(
  report: T,
  options: JsonOption,
  format: (report: T) => string,
): Promise<void> {
  const { toJson } = await import('./format.js');
  return writeOut(`${options.json ? toJson(report) : format(report)}\n`);
}
