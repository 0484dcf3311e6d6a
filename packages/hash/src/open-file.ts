// Opening a file for hashing: the open, the use and the close, with every error of the open and
// the use turned into a HashError naming the path. One place for the sync and async forms.
import { closeSync, openSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { toHashError } from './errors.js';

/** @internal `use(fd)` on the file opened for reading, closed afterwards whatever happens. */
export function withOpenFile<T>(path: string | Buffer, use: (fd: number) => T): T {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw toHashError(error, path);
  }
  try {
    return use(fd);
  } catch (error) {
    throw toHashError(error, path);
  } finally {
    closeSync(fd);
  }
}

/** @internal The same with a FileHandle and the asynchronous fs calls. */
export async function withOpenHandle<T>(
  path: string | Buffer,
  use: (handle: FileHandle) => Promise<T>,
): Promise<T> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw toHashError(error, path);
  }
  try {
    return await use(handle);
  } catch (error) {
    throw toHashError(error, path);
  } finally {
    await handle.close();
  }
}
