// root-folder.ts in the browser build: there is no file system to check a root against; the
// root only names paths in messages, and the backend (a snapshot) holds the tree.

/** Nothing to check in a browser. */
export function checkRootFolder(_root: string): void {}
