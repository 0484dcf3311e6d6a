// The check that a ProcFS's root is a folder, in Node. The browser build replaces this module
// by root-folder.browser.ts: there is no file system there, only the backend's tree.
import { statSync } from 'node:fs';

/** Throws a TypeError unless `root` is a folder. */
export function checkRootFolder(root: string): void {
  let isFolder = false;
  try {
    isFolder = statSync(root).isDirectory();
  } catch {
    // reported below
  }
  if (!isFolder) throw new TypeError(`root must be a folder, and ${root} is not one`);
}
