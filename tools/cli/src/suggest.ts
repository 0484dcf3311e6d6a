// `procmon tre 1`: a word where a command goes that is not one. inspect is the default command,
// so without this check the word would reach it as a pid and be refused as one, which does not
// say what the user got wrong.
import { UsageError } from './usage-error.js';

/** Throws a UsageError when the first argument is a word that is neither a command nor a pid. */
export function unknownCommand(args: readonly string[], commands: readonly string[]): void {
  const first = args[0];
  if (first === undefined || first.startsWith('-') || first === 'self') return;
  if (/^\d+$/.test(first) || commands.includes(first)) return;
  const near = nearest(first, commands);
  throw new UsageError(
    `unknown command '${first}'${near === undefined ? '' : ` (did you mean '${near}'?)`}`,
  );
}

/** The command nearest to `word` by edit distance, when close enough to be a typo of it. */
function nearest(word: string, commands: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const command of commands) {
    const distance = editDistance(word, command);
    // A third of the name may be wrong (one letter of 'tree', two of 'inspect').
    if (distance <= Math.max(1, Math.floor(command.length / 3)) && distance < bestDistance) {
      best = command;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, with a swap of two neighbouring letters counted as one edit. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i] as number[];
      const above = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = value;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}
