// How procmon ends when something failed, and with which exit status: one line on stderr for
// what a user or the system caused, the whole stack for a bug, nothing at all when the reader of
// its output went away. Messages name paths and files, which processes choose: all escaped.
import { CommanderError } from 'commander';
import { flush, OutputError, writeErr } from './output.js';
import { USAGE_STATUS, UsageError } from './usage-error.js';

/** What a shell shows for a process killed by SIGPIPE (128 + 13), as `yes | head -1` leaves it. */
const READER_GONE_STATUS = 141;

/** Says what went wrong, on stderr, and returns the exit status. Never throws. */
export async function reportFailure(error: unknown): Promise<number> {
  // Loaded here, not at startup: only a failure needs it.
  const { escapeText } = await import('@procmon/parse');
  // Commander's own message (usage errors, help) is still waiting to be written.
  try {
    await flush();
  } catch (flushError) {
    return outputFailed(flushError as OutputError);
  }
  if (error instanceof OutputError) return outputFailed(error);
  if (error instanceof CommanderError) return commanderStatus(error);
  if (error instanceof UsageError) {
    await writeErr(`procmon: ${escapeText(error.message)}\n(add --help for usage)\n`).catch(
      () => {},
    );
    return USAGE_STATUS;
  }
  const text = isExpectedFailure(error)
    ? `procmon: ${escapeText((error as Error).message)}`
    : bugReport(error, escapeText);
  await writeErr(`${text}\n`).catch(() => {});
  return 1;
}

async function outputFailed(error: OutputError): Promise<number> {
  // `procmon ps | head -1`: the reader has what it wanted; nobody is left to tell.
  if (error.code === 'EPIPE') return READER_GONE_STATUS;
  // Where stderr is what failed, this fails too, and the status says it.
  await writeErr(`procmon: cannot write output: ${error.message}\n`).catch(() => {});
  return 1;
}

// Help and the version are answers (status 0); every other commander error is the command line's.
const COMMANDER_ANSWERS = new Set([
  'commander.helpDisplayed',
  'commander.help',
  'commander.version',
]);

/** Commander has said what was wrong (or printed help): the status is all that is left. */
function commanderStatus(error: CommanderError): number {
  return COMMANDER_ANSWERS.has(error.code) ? error.exitCode : USAGE_STATUS;
}

function isExpectedFailure(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return (
    // By name: the classes live in the command modules, which load only when a command runs.
    name === 'ProcessNotFoundError' ||
    name === 'SnapshotFileError' ||
    error instanceof TypeError ||
    name === 'HashError' ||
    name === 'ProcessGoneError' ||
    name === 'PidReusedError' ||
    name === 'ProgramChangedError' ||
    name === 'PermissionDeniedError' ||
    name === 'ProcfsError' ||
    name === 'EventSourceError' ||
    name === 'ParseError' ||
    name === 'SnapshotError' ||
    name === 'SnapshotFileError'
  );
}

/** A bug: the message and every frame of the stack, each line escaped. */
function bugReport(error: unknown, escapeText: (text: string) => string): string {
  if (!(error instanceof Error)) return `procmon: internal error: ${escapeText(String(error))}`;
  const head = `${error.name}: ${error.message}`;
  const stack = error.stack ?? head;
  // V8's stack is the head, then one line per frame; a message can hold newlines of its own.
  const frames = stack.startsWith(head) ? stack.slice(head.length).split('\n').slice(1) : [];
  return [`procmon: internal error: ${escapeText(head)}`, ...frames.map(escapeText)].join('\n');
}
