// `procmon env <pid>`: the environment a process started with, every definition in file order.
import { escapeText } from '@procmon/parse';
import type { Process } from '@procmon/process';
import { pc } from './colors.js';

export interface EnvReport {
  pid: number;
  /** Every definition, in the order of the environ file; a repeated name is listed each time. */
  entries: [string, string][];
}

/** Throws the environ read's own error (permission, gone) when it could not be read. */
export function envOf(process: Process): EnvReport {
  const info = process.extraInfo({ fields: ['environ'] });
  if (!info.environ)
    throw info.failures[0]?.error ?? new Error(`no environment for process ${process.pid}`);
  return { pid: process.pid, entries: [...info.environ] };
}

export function formatEnv(report: EnvReport): string {
  const seen = new Set<string>();
  const lines = report.entries.map(([name, value]) => {
    // getenv() returns the first definition: a later one is shadowed, and shown as such.
    const shadowed = seen.has(name);
    seen.add(name);
    const line = `${escapeText(name)}=${escapeText(value)}`;
    return shadowed
      ? `${line}  ${pc.yellow('(shadowed: getenv sees the first definition)')}`
      : line;
  });
  return lines.join('\n');
}
