/**
 * The user's command line is wrong (not the system, not procmon): said on one line, exit status 2,
 * as commander's own usage errors are.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The exit status of a usage error, as getopt-style tools use it. */
export const USAGE_STATUS = 2;
