// What reportFailure writes to stderr and the status it returns, with stderr captured.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportFailure } from './failure.js';
import { commanderErrorText, OutputError } from './output.js';
import { ProcessNotFoundError } from './target.js';

function captureStderr(): { text: () => string } {
  let text = '';
  vi.spyOn(process.stderr, 'write').mockImplementation(((
    chunk: string,
    callback?: (error?: Error | null) => void,
  ) => {
    text += chunk;
    callback?.();
    return true;
  }) as typeof process.stderr.write);
  return { text: () => text };
}

afterEach(() => {
  vi.restoreAllMocks();
});

const HOSTILE = '/tmp/x\x1b]0;pwned\x07\nFAKE-LINE\u202e';
const HOSTILE_SHOWN = '/tmp/x\\x1b]0;pwned\\x07\\x0aFAKE-LINE\\u{202e}';

describe('reportFailure', () => {
  it('an expected failure: one escaped line, status 1', async () => {
    const stderr = captureStderr();
    const error = Object.assign(new Error(`cannot hash ${HOSTILE}: ENOENT`), { name: 'HashError' });
    expect(await reportFailure(error)).toBe(1);
    expect(stderr.text()).toBe(`procmon: cannot hash ${HOSTILE_SHOWN}: ENOENT\n`);
    expect(await reportFailure(new ProcessNotFoundError(99))).toBe(1);
  });

  it('a bug: the escaped message, then every frame, status 1', async () => {
    const stderr = captureStderr();
    const error = new RangeError(`bad ${HOSTILE}`);
    expect(await reportFailure(error)).toBe(1);
    const lines = stderr.text().trimEnd().split('\n');
    expect(lines[0]).toBe(`procmon: internal error: RangeError: bad ${HOSTILE_SHOWN}`);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((line) => line.startsWith('    at '))).toBe(true);
  });

  it('a write that failed: its reason; a reader gone: nothing, status 141', async () => {
    const stderr = captureStderr();
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      errno: -28,
    });
    expect(await reportFailure(new OutputError(full))).toBe(1);
    expect(stderr.text()).toBe('procmon: cannot write output: no space left on device (ENOSPC)\n');
    const pipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE', errno: -32 });
    expect(await reportFailure(new OutputError(pipe))).toBe(141);
    expect(stderr.text()).toBe('procmon: cannot write output: no space left on device (ENOSPC)\n');
  });
});

describe("commander's error messages", () => {
  const shown = commanderErrorText;

  it('are escaped and kept on one line', async () => {
    expect(await shown(`error: unknown option '${HOSTILE}'\n`)).toBe(
      `error: unknown option '${HOSTILE_SHOWN}'\n`,
    );
  });

  it("keep commander's suggestion, on the same line", async () => {
    expect(await shown("error: unknown option '--jsn'\n(Did you mean --json?)\n")).toBe(
      "error: unknown option '--jsn' (Did you mean --json?)\n",
    );
  });
});
