// own-namespace.ts in the browser build: a page has no network namespace of its own.
import { NodeOnlyError } from '@procmon/procfs';

/** Throws NodeOnlyError: a browser has no /proc/self. */
export function ownNetNamespace(): string {
  throw new NodeOnlyError('netlink', 'a browser has no network namespace of its own to compare');
}
