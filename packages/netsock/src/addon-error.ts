// A failed socket call of the addon, as the typed NetlinkError: apart from addon.ts, which loads
// the addon in Node (the browser build swaps addon.ts for addon.browser.ts and keeps this).
import { errnoName } from './netlink/errno.js';
import { NetlinkError } from './netlink/errors.js';

/** A socket-call failure of the addon as a NetlinkError with the errno and its name. */
export function addonError(error: unknown, what: string): unknown {
  const errno = (error as { errno?: unknown }).errno;
  if (typeof errno !== 'number') return error;
  const code = errnoName(errno);
  const message = error instanceof Error ? error.message : String(error);
  return new NetlinkError(`${what}: ${message}`, errno, code, { cause: error });
}
