// addon.ts in the browser build: no native addon loads in a page, so netlink is never chosen
// (`auto` reads the /proc/<pid>/net tables through the ProcFS, a snapshot's in a browser).
import type { MulticastHandle, NetsockAddon } from './addon.js';

export { addonError } from './addon-error.js';
export type { MulticastHandle, NetsockAddon };

/** Not in a browser. */
export const ADDON_PATH = '';

const NO_ADDON = {
  error: 'no native addon in a browser (netlink needs Node and Linux)',
} as const;

/** Why there is no addon: this is a browser. */
export function loadAddon(): { addon: NetsockAddon } | { error: string } {
  return NO_ADDON;
}
