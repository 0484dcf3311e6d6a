// What only Node can do (read a live /proc, load the native addon, open files, hash them, ask
// the kernel through netlink) asked for where there is no Node: a browser build of the packages.
// The browser build keeps the Node API, and each of these calls throws this error there.

/**
 * Something that needs Node was called in a browser. `feature` names it (`proc`, `native`,
 * `node-fs`, `netlink`, `hash`, ...); the message says what to do instead.
 */
export class NodeOnlyError extends Error {
  override name = 'NodeOnlyError';
  readonly feature: string;

  constructor(feature: string, message: string) {
    super(message);
    this.feature = feature;
  }
}
