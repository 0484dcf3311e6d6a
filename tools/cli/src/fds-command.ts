// `procmon fds <pid>`: the open descriptors, with the file or connection behind each.
import type { Process } from '@procmon/process';
import { type DescriptorLine, describeDescriptor, descriptorLines } from './descriptors.js';
import { failureLines } from './format.js';

export interface FdsReport {
  pid: number;
  descriptors: DescriptorLine[];
  failures: { field: string; reason: string; message: string }[];
}

/** Throws the listing's own error (permission, gone) when `fd/` could not be read at all. */
export function fdsOf(process: Process): FdsReport {
  const info = process.extraInfo({ fields: ['descriptors'] });
  if (!info.descriptors) {
    throw info.failures[0]?.error ?? new Error(`no descriptors for process ${process.pid}`);
  }
  return {
    pid: process.pid,
    descriptors: info.descriptors.map(describeDescriptor),
    failures: info.failures.map(({ field, reason, message }) => ({ field, reason, message })),
  };
}

export function formatFds(report: FdsReport): string {
  return [...descriptorLines(report.descriptors), ...failureLines(report.failures)].join('\n');
}
