// errno.ts in the browser build: node:os's table is not there, and netlink never runs in a page.

/** `E2` for 2: the name is unknown without Node's table. */
export function errnoName(errno: number): string {
  return `E${errno}`;
}
