// Turns an inspect report into text: aligned columns for people, JSON for machines.
import { Environ, encodeText, hasEscapedBytes } from '@procmon/parse';
import pc from 'picocolors';
import type { InspectReport } from './inspect.js';

/**
 * JSON with bigints as decimal strings; an environment becomes an object of each name's first
 * definition (the value the process sees).
 */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) => {
      if (typeof v === 'bigint') return v.toString();
      if (v instanceof Environ) return v.toObject();
      return v;
    },
    2,
  );
}

export function formatReport(report: InspectReport): string {
  const lines: string[] = [];
  lines.push(`${pc.bold(`process ${report.pid}`)}  ${report.comm ?? '?'}  ${report.state ?? ''}`);
  const rows: [string, string][] = [];
  const row = (label: string, value: string | undefined) => {
    if (value !== undefined) rows.push([label, value]);
  };
  row('exe', report.exe && printable(report.exe));
  row('cwd', report.cwd && printable(report.cwd));
  row('args', report.args?.map(shellQuote).join(' '));
  row('ppid', report.ppid?.toString());
  row('uid', report.uid && idsText(report.uid));
  row('gid', report.gid && idsText(report.gid));
  row('threads', report.threads?.toString());
  if (report.checksums) {
    for (const [algorithm, digest] of Object.entries(report.checksums)) {
      row(algorithm, `${digest}  ${pc.dim(`(from ${report.checksumSource})`)}`);
    }
  }
  row('started', report.startedAt);
  if (report.memory) {
    row(
      'memory',
      `virtual ${bytesText(report.memory.virtualBytes)}, resident ${bytesText(report.memory.residentBytes)}, shared ${bytesText(report.memory.sharedBytes)}`,
    );
  }
  if (report.io) {
    row(
      'io',
      `read ${bytesText(Number(report.io.readBytes))} (${report.io.rchar} chars), written ${bytesText(Number(report.io.writeBytes))} (${report.io.wchar} chars)`,
    );
  }
  lines.push(...aligned(rows));
  if (report.env) {
    lines.push(pc.bold(`environment (${report.env.size})`));
    for (const [key, value] of report.env) lines.push(`  ${printable(key)}=${printable(value)}`);
  }
  if (report.failures.length > 0) {
    lines.push(pc.bold(pc.yellow('not read')));
    lines.push(
      ...aligned(
        report.failures.map((f) => [f.field, `${f.reason}: ${f.message}`] as [string, string]),
      ),
    );
  }
  return lines.join('\n');
}

function aligned(rows: [string, string][]): string[] {
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${pc.dim(label.padEnd(width))}  ${value}`);
}

function idsText(ids: { real: number; effective: number; saved: number; filesystem: number }) {
  return `${ids.real} ${pc.dim('(effective')} ${ids.effective}${pc.dim(', saved')} ${ids.saved}${pc.dim(', fs')} ${ids.filesystem}${pc.dim(')')}`;
}

function bytesText(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Bytes that were not UTF-8 (kept as escapes by the parser) shown as \xNN for a terminal. */
function printable(text: string): string {
  if (!hasEscapedBytes(text)) return text;
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    out +=
      code >= 0xdc80 && code <= 0xdcff
        ? `\\x${encodeText(char)[0]?.toString(16).padStart(2, '0')}`
        : char;
  }
  return out;
}

function shellQuote(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return printable(arg);
  return `'${printable(arg).replaceAll("'", `'\\''`)}'`;
}
