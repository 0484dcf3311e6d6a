// The network namespace of this process, read from the machine's own /proc (not the ProcFS's
// root, which may be another machine's view). The browser build swaps this module for
// own-namespace.browser.ts.
import { readlinkSync } from 'node:fs';

/** `net:[4026531840]`: this process's own network namespace link. */
export function ownNetNamespace(): string {
  return readlinkSync('/proc/self/ns/net');
}
