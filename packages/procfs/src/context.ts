// What every procfs flow knows of the ProcFS it runs for: where /proc is and the default size
// cap. ProcFS is one; flows take it as their first argument.
import type { Backend } from './flow.js';

export interface ProcfsContext {
  readonly root: string;
  readonly maxBytes: number;
  /** How reads are carried out; a backend may carry the machine facts (machine-facts.ts). */
  readonly backend?: Backend | undefined;
}

/** A path under the root as people see it in messages and in errors' `path`. */
export const absolute = (context: ProcfsContext, path: string): string =>
  joinRoot(context.root, path) as string;

/** `<root>/<path>`; a path of bytes (a binary's path need not be UTF-8) joins as bytes. */
export function joinRoot(root: string, path: string | Uint8Array): string | Buffer {
  if (path === '') return root;
  const prefix = root === '/' ? '' : root;
  if (typeof path === 'string') return `${prefix}/${path}`;
  return Buffer.concat([Buffer.from(`${prefix}/`), path]);
}
