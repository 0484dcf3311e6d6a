// machine-word.ts in the browser build: a page cannot tell which machine an auxv came from, so
// the machine facts must come with the backend (a snapshot's manifest carries them).
import type { WordLayout } from './machine-word.js';
import { NodeOnlyError } from './node-only-error.js';

export type { WordLayout };

/** Throws NodeOnlyError: the layout of an auxv is the reading machine's, unknown in a browser. */
export function wordLayout(): WordLayout {
  throw new NodeOnlyError(
    'auxv',
    "a browser cannot read auxv's words (their size and byte order are the capturing machine's): give ProcFS a backend with machineFacts, such as a snapshot's",
  );
}
