// Everything procmon prints goes through here. A write resolves once the stream has taken the
// text and rejects with an OutputError when it could not, so a full disk or a closed pipe ends
// with a message and a non-zero status instead of status 0 and an empty file (console.log drops
// write errors).
import { getSystemErrorMap } from 'node:util';
import type { OutputConfiguration } from 'commander';

/** A write to stdout or stderr that failed. `code` is the errno name: EPIPE, ENOSPC, ... */
export class OutputError extends Error {
  override name = 'OutputError';
  readonly code: string | undefined;
  constructor(cause: NodeJS.ErrnoException) {
    super(reasonOf(cause), { cause });
    this.code = cause.code;
  }
}

/** `no space left on device (ENOSPC)`, as procmon words other system errors. */
function reasonOf(error: NodeJS.ErrnoException): string {
  const known = typeof error.errno === 'number' ? getSystemErrorMap().get(error.errno) : undefined;
  return known ? `${known[1]} (${known[0]})` : error.message;
}

function write(stream: NodeJS.WriteStream, text: string | Uint8Array): Promise<void> {
  // A failed write also emits 'error', which nobody listening would turn into a crash with a
  // stack trace: the callback below is what reports it.
  if (stream.listenerCount('error') === 0) stream.on('error', () => {});
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(new OutputError(error)) : resolve()));
  });
}

export const writeOut = (text: string | Uint8Array): Promise<void> => write(process.stdout, text);
export const writeErr = (text: string): Promise<void> => write(process.stderr, text);

// Commander prints from inside its synchronous parsing: its writes are kept here and awaited by
// `flush` before procmon exits.
const pending: Promise<void>[] = [];

function later(write: Promise<void>): void {
  // Awaited in flush; until then, a failure must not count as an unhandled rejection.
  write.catch(() => {});
  pending.push(write);
}

/** Waits for every write commander made; rejects with the first OutputError. */
export async function flush(): Promise<void> {
  await Promise.all(pending.splice(0));
}

/**
 * Commander's output through these writers, in the order commander gave it. Its error messages
 * quote the arguments procmon was given, which can be names a process chose (a script passing a
 * file name along): escaped like every such name and kept on one line, with commander's own
 * suggestion for a typo, which it puts on a line of its own, joined to it. The escaping lives in
 * @procmon/parse, loaded only when commander has an error to say.
 */
export const commanderOutput: OutputConfiguration = {
  writeOut: (text) => inOrder(() => writeOut(text)),
  writeErr: (text) => inOrder(() => writeErr(text)),
  outputError: (message) => inOrder(async () => writeErr(await commanderErrorText(message))),
};

/** Commander's error message as procmon shows it: escaped, on one line with its suggestion. */
export async function commanderErrorText(message: string): Promise<string> {
  const { escapeText } = await import('@procmon/parse');
  const text = message.endsWith('\n') ? message.slice(0, -1) : message;
  return `${escapeText(text.replace(/\n(\(Did you mean [^\n]*\?\))$/, ' $1'))}\n`;
}

let commanderWrites: Promise<void> = Promise.resolve();

/** Runs `write` after every commander write before it, and keeps it for flush. */
function inOrder(write: () => Promise<void>): void {
  commanderWrites = commanderWrites.then(write);
  later(commanderWrites);
}
