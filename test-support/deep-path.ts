// A program run from a folder deeper than PATH_MAX: its /proc/<pid>/exe link cannot be read
// (ENAMETOOLONG) while the file behind it can. A shell cannot make one (its cd builds the whole
// path); python walks down one folder at a time, so no path it gives the kernel is too long.

/** Folders of 200 bytes, 23 deep: the binary's path is over 4,600 bytes. */
const SCRIPT = [
  'import os, shutil, sys',
  'os.chdir(sys.argv[1])',
  'for _ in range(23): os.mkdir("d" * 200); os.chdir("d" * 200)',
  'shutil.copy(sys.argv[2], "sshd")',
  'os.execv("./sshd", ["./sshd"] + sys.argv[3:])',
].join('\n');

/**
 * python3's arguments to copy `binary` as `sshd` (a comm that names another program) deep under
 * `top` and exec it there by a relative path with `args`. `top` should come from tempFolder:
 * cleanup() removes such a tree.
 */
export function deepExecArgs(top: string, binary: string, args: readonly string[] = []): string[] {
  return ['-c', SCRIPT, top, binary, ...args];
}
