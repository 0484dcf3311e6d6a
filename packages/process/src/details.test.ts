// details() of live children whose arguments, environment, working directory and binary the
// test chose: a copy of test/hold.c started through `env -i` (raw bytes in the environment), a
// child that rewrites its title, pid 2 (kthreadd), and this test process itself.
import { readFileSync, realpathSync } from 'node:fs';
import { encodeText, hasEscapedBytes } from '@procmon/parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupAll,
  compileC,
  copyBinary,
  spawnLines,
  startHold,
  statOf,
  styles,
  tempFolder,
  twin,
} from '../test/helpers.js';
import { KERNEL_CONNECTION, Process, type ProcessDetails } from './index.js';

afterAll(cleanupAll);

const details = (style: 'sync' | 'async', process: Process): Promise<ProcessDetails> =>
  twin(
    style,
    () => process.details(),
    () => process.detailsAsync(),
  );

/** `RAW=a<0xff><0xfe>b`: printf writes the bytes, `env -i` puts them in the environment. */
const RAW_VALUE_BYTES = Uint8Array.from([0x61, 0xff, 0xfe, 0x62]);

describe('a child started with known arguments, environment and cwd', () => {
  let hold: string;
  let cwd: string;
  let pid: number;
  const args = () => [hold, 'two words', '', 'last', '  spaced  '];

  beforeAll(async () => {
    const folder = tempFolder();
    hold = copyBinary(compileC('hold'), folder, 'procmon-hold');
    cwd = tempFolder('procmon-process-cwd-');
    // sh execs env, which execs hold: one pid, with exactly this environment and these arguments.
    const script =
      'exec env -i "$(printf "RAW=a\\377\\376b")" "EQ=x=y=z" "__proto__=polluted" "EMPTY=" "$0" "$@"';
    ({ pid } = await startHold('sh', ['-c', script, ...args()], { cwd }));
  });

  describe.each(styles)('details (%s)', (style) => {
    it('has the arguments exactly, and command joins them with one space', async () => {
      const result = await details(style, Process.open(pid));
      expect(result.args).toEqual([hold, 'two words', '', 'last', '  spaced  ']);
      expect(result.command).toBe(`${hold} two words  last   spaced  `);
    });

    it('has the identity, comm, path, realPath through /proc/<pid>/root, cwd and no failure', async () => {
      const result = await details(style, Process.open(pid));
      expect(result).toMatchObject({
        pid,
        startTime: statOf(pid).startTime,
        comm: 'procmon-hold',
        path: hold,
        realPath: `/proc/${pid}/root${hold}`,
        deleted: false,
        kernelThread: false,
        pathSource: 'exe',
        cwd,
        failures: [],
      });
    });

    it('has the environment: = in values, __proto__ as a plain name, bytes that are not UTF-8', async () => {
      const environ = (await details(style, Process.open(pid))).environ;
      expect(environ?.size).toBe(4);
      expect(environ?.get('EQ')).toBe('x=y=z');
      expect(environ?.get('__proto__')).toBe('polluted');
      expect(environ?.get('EMPTY')).toBe('');
      expect(Object.entries(environ?.toObject() ?? {})).toContainEqual(['__proto__', 'polluted']);
      const raw = environ?.get('RAW') ?? '';
      expect(hasEscapedBytes(raw)).toBe(true);
      expect(encodeText(raw)).toEqual(RAW_VALUE_BYTES);
      // The whole file round-trips: each NAME=value, NUL-terminated, is the file's bytes.
      const file = new Uint8Array(readFileSync(`/proc/${pid}/environ`));
      const rebuilt = [...(environ ?? [])].map(([name, value]) => encodeText(`${name}=${value}\0`));
      expect(Buffer.concat(rebuilt).equals(Buffer.from(file))).toBe(true);
    });

    it('with skipSelf, is the details of a process that is not this one', async () => {
      const process = Process.open(pid);
      const result = await twin(
        style,
        () => process.details({ skipSelf: true }),
        () => process.detailsAsync({ skipSelf: true }),
      );
      expect(result?.pid).toBe(pid);
      expect(result?.path).toBe(hold);
    });
  });

  it('gives the same details sync and async', async () => {
    const process = Process.open(pid);
    const [sync, async] = [process.details(), await process.detailsAsync()];
    expect({ ...async, environ: [...(async.environ ?? [])] }).toEqual({
      ...sync,
      environ: [...(sync.environ ?? [])],
    });
  });
});

describe.each(styles)('details (%s) of this test process', (style) => {
  it('is undefined with skipSelf, as the reference does', async () => {
    const self = Process.open(process.pid);
    expect(
      await twin(
        style,
        () => self.details({ skipSelf: true }),
        () => self.detailsAsync({ skipSelf: true }),
      ),
    ).toBeUndefined();
  });

  it('is read without skipSelf: our pid, node, our cwd and arguments', async () => {
    const result = await details(style, Process.open(process.pid));
    expect(result).toMatchObject({
      pid: process.pid,
      path: realpathSync(process.execPath),
      cwd: process.cwd(),
      args: readFileSync('/proc/self/cmdline', 'utf8').split('\0').slice(0, -1),
    });
    expect(result.environ?.get('PATH')).toBe(process.env.PATH);
  });
});

describe.each(styles)(
  'details (%s) of a child whose title or argv[0] is not its binary',
  (style) => {
    it('shows the rewritten comm (prctl PR_SET_NAME) and command line', async () => {
      const title = 'procmon rewritten title';
      const { child } = await spawnLines(compileC('title'), ['newcomm', title, 'x'.repeat(64)]);
      const result = await details(style, Process.open(child.pid as number));
      expect(result.comm).toBe('newcomm');
      expect(result.command).toBe(title);
      expect(result.path).toBe(compileC('title'));
    });

    it('shows an argv[0] set at exec (exec -a): args exact, path still the binary', async () => {
      const hold = compileC('hold');
      const { pid } = await startHold(hold, ['600', 'x y'], { argv0: 'fake name' });
      const result = await details(style, Process.open(pid));
      expect(result.args).toEqual(['fake name', '600', 'x y']);
      expect(result.command).toBe('fake name 600 x y');
      expect(result.path).toBe(hold);
    });

    it('keeps a lone argument with spaces whole: args are split on NUL', async () => {
      const hold = compileC('hold');
      const { pid } = await startHold(hold, [], { argv0: 'my prog' });
      expect(readFileSync(`/proc/${pid}/cmdline`, 'latin1')).toBe('my prog\0');
      const result = await details(style, Process.open(pid));
      expect(result.args).toEqual(['my prog']);
      expect(result.command).toBe('my prog');
    });
  },
);

describe.each(styles)('details (%s) of kthreadd (pid 2)', (style) => {
  it('is a kernel task: Kernel connection, its comm as the only argument', async () => {
    const stat = statOf(2);
    expect(stat.ppid).toBe(0);
    const result = await details(style, Process.open(2));
    expect(result).toMatchObject({
      pid: 2,
      path: KERNEL_CONNECTION,
      realPath: KERNEL_CONNECTION,
      kernelThread: true,
      pathSource: 'kernel',
      comm: stat.comm,
      args: [stat.comm],
      command: stat.comm,
    });
    expect(result.failures.map((failure) => failure.field)).not.toContain('path');
    expect(result.failures.map((failure) => failure.field)).not.toContain('args');
  });
});
