// A process that replaces its program (execve) keeps its pid and start time, so the identity
// check cannot see it; its memory map changes, and with it the addresses stat lists. Fields read
// across an exec would mix two programs (the path of one, the arguments of the other): the
// collectors read again, checksums of the program before are dropped.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { firstLine } from '../../../test-support/processes.js';
import {
  cleanupAll,
  compileC,
  copyBinary,
  copyFixture,
  errorOf,
  eventually,
  MutatingProcFS,
  type Style,
  styles,
  tempFolder,
  trackChild,
  twin,
} from '../test/helpers.js';
import { ProgramChangedError } from './errors.js';
import { Process, scanProcesses, scanProcessesAsync } from './index.js';

afterAll(cleanupAll);

/** details() or detailsAsync(), as `style` says. */
const detailsOf = (process: Process, style: Style) =>
  twin(
    style,
    () => process.details(),
    () => process.detailsAsync(),
  );

const PID = 100; // a fixture process: /opt/app/bin/app --name "two words" "" last

/**
 * Where an exec of a program loading into a fresh memory map stands, as /proc shows it:
 * `mapped` (the map in place, nothing on its stack yet: every address 0, arguments and
 * environment empty), `placing` (the arguments being put on the stack: arg_start set, the code
 * addresses still 0, the arguments cut short) or `loaded`.
 */
type ExecStage = 'mapped' | 'placing' | 'loaded';

/**
 * What an exec of fixture pid 100 into /opt/<name>/bin/<name> leaves in its files: a new exe
 * link, arguments and environment, and new addresses in stat (code 26-27, stack 28, arguments
 * 48, environment 50); the start time stays.
 */
function execInFixture(
  root: string,
  name: string,
  stackAddress: number,
  stage: ExecStage = 'loaded',
): void {
  const folder = join(root, String(PID));
  const path = `/opt/${name}/bin/${name}`;
  rmSync(join(folder, 'exe'));
  symlinkSync(path, join(folder, 'exe'));
  const cmdline = { mapped: '', placing: `${path}\0`, loaded: `${path}\0--run\0` }[stage];
  writeFileSync(join(folder, 'cmdline'), cmdline);
  writeFileSync(join(folder, 'environ'), stage === 'loaded' ? `PROGRAM=${name}\0` : '');
  const stat = readFileSync(join(folder, 'stat'), 'latin1');
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  // Field N is fields[N - 3].
  const loaded = stage === 'loaded';
  fields[23] = loaded ? '4194304' : '0'; // 26 startcode
  fields[24] = loaded ? '4198400' : '0'; // 27 endcode
  fields[25] = String(stackAddress); // 28 startstack
  fields[45] = stage === 'mapped' ? '0' : String(stackAddress + 1000); // 48 arg_start
  fields[47] = loaded ? String(stackAddress + 2000) : '0'; // 50 env_start
  writeFileSync(join(folder, 'stat'), `${stat.slice(0, close + 2)}${fields.join(' ')}`, 'latin1');
}

/** A fixture ProcFS whose pid 100 execs right after its cmdline is read, `times` times. */
function execingFixture(times: number) {
  const { root } = copyFixture();
  let execs = 0;
  const procfs = new MutatingProcFS(root, (pid, name) => {
    if (pid !== PID || name !== 'cmdline' || execs >= times) return;
    execs++;
    execInFixture(root, `tool${execs}`, 140737488340000 + execs * 4096);
  });
  return { procfs, execs: () => execs };
}

describe('an exec between the reads of a collector (fixture)', () => {
  test.each(styles)(
    'details, %s: read again, every field from the program after',
    async (style) => {
      const { procfs, execs } = execingFixture(1);
      const process = Process.open(PID, { procfs });
      const details = await detailsOf(process, style);
      expect(execs()).toBe(1);
      expect(details).toMatchObject({
        path: '/opt/tool1/bin/tool1',
        args: ['/opt/tool1/bin/tool1', '--run'],
        command: '/opt/tool1/bin/tool1 --run',
      });
      expect(details.environ?.get('PROGRAM')).toBe('tool1');
    },
  );

  test.each(styles)(
    'details, %s: an exec in each of 3 readings is a ProgramChangedError',
    async (style) => {
      const { procfs, execs } = execingFixture(3);
      const process = Process.open(PID, { procfs });
      const error = await errorOf(() => detailsOf(process, style));
      expect(execs()).toBe(3);
      expect(error).toBeInstanceOf(ProgramChangedError);
      expect(error).toMatchObject({
        pid: PID,
        message: `process ${PID} replaced its program (execve) while it was read, 3 times in a row: nothing of it is returned, read it again`,
      });
      // Read later, the program it runs then.
      expect((await detailsOf(process, style)).path).toBe('/opt/tool3/bin/tool3');
    },
  );

  test.each(
    styles.flatMap((style) => (['mapped', 'placing'] as const).map((stage) => [style, stage])),
  )(
    'details, %s: read while the new program was still loading (%s): read again once it is',
    async (style, stage) => {
      // Opened mid-exec, still so when the first reading ends (the same stat as when opened:
      // yet not a stable reading), loaded right after: nothing of the loading state is returned.
      const { root } = copyFixture();
      execInFixture(root, 'tool', 140737488340000, stage as ExecStage);
      let stats = 0;
      const procfs = new MutatingProcFS(root, (pid, name) => {
        if (pid !== PID || name !== 'stat') return;
        stats++;
        if (stats === 2) execInFixture(root, 'tool', 140737488340000);
      });
      const process = Process.open(PID, { procfs });
      const details = await detailsOf(process, style as Style);
      expect(details).toMatchObject({
        path: '/opt/tool/bin/tool',
        args: ['/opt/tool/bin/tool', '--run'],
      });
      expect(details.environ?.get('PROGRAM')).toBe('tool');
    },
  );

  test.each(styles)(
    'details, %s: still loading at every reading: a ProgramChangedError',
    async (style) => {
      const { root } = copyFixture();
      let execed = false;
      const procfs = new MutatingProcFS(root, (pid, name) => {
        if (pid !== PID || name !== 'cmdline' || execed) return;
        execed = true;
        execInFixture(root, 'tool', 140737488340000, 'mapped');
      });
      const process = Process.open(PID, { procfs });
      const error = await errorOf(() => detailsOf(process, style));
      expect(error).toBeInstanceOf(ProgramChangedError);
    },
  );

  test.each(styles)('extraInfo, %s: the environment of the program after', async (style) => {
    // extraInfo reads no cmdline: the exec comes after its environ read instead.
    const { root } = copyFixture();
    let execed = false;
    const procfs = new MutatingProcFS(root, (pid, name) => {
      if (pid !== PID || name !== 'environ' || execed) return;
      execed = true;
      execInFixture(root, 'tool', 140737488340000);
    });
    const process = Process.open(PID, { procfs });
    const fields = ['environ', 'stat'] as const;
    const info = await twin(
      style,
      () => process.extraInfo({ fields }),
      () => process.extraInfoAsync({ fields }),
    );
    expect(execed).toBe(true);
    expect(info.environ?.get('PROGRAM')).toBe('tool');
    expect(info.stat?.startstack).toBe(140737488340000n);
  });

  test.each(styles)(
    'scan, %s: read again; each of 3 times, listed with its stat and `changed` failures',
    async (style) => {
      const scan = (procfs: MutatingProcFS) =>
        twin(
          style,
          () => scanProcesses({ procfs, fields: ['path', 'args', 'environ'] }),
          () => scanProcessesAsync({ procfs, fields: ['path', 'args', 'environ'] }),
        );
      const once = execingFixture(1);
      const afterOne = (await scan(once.procfs)).find((p) => p.pid === PID);
      expect(afterOne).toMatchObject({
        path: '/opt/tool1/bin/tool1',
        args: ['/opt/tool1/bin/tool1', '--run'],
        failures: [],
      });
      expect(afterOne?.environ?.get('PROGRAM')).toBe('tool1');

      const thrice = execingFixture(3);
      const afterThree = (await scan(thrice.procfs)).find((p) => p.pid === PID);
      expect(afterThree).toEqual({
        pid: PID,
        ppid: 1,
        comm: 'app',
        state: 'S',
        startTime: 1000,
        // The last stat read, that of the program it changed to.
        stat: expect.objectContaining({ pid: PID, startTime: 1000, comm: 'app' }),
        readAt: expect.any(Number),
        gone: false,
        failures: ['path', 'args', 'environ'].map((field) => ({
          field,
          reason: 'changed',
          message: expect.stringContaining('replaced its program (execve)'),
          error: expect.any(ProgramChangedError),
        })),
      });
    },
  );
});

describe('live: a process that execs every few hundred microseconds', () => {
  /**
   * Two copies of test/flip.c, `alpha` and `beta` (beta one byte longer, so their checksums
   * differ), each exec'ing the other with its own name in path, arguments and environment.
   */
  function flipPair() {
    const folder = tempFolder();
    const alpha = copyBinary(compileC('flip'), folder, 'alpha');
    const beta = copyBinary(compileC('flip'), folder, 'beta');
    appendFileSync(beta, Buffer.from([0]));
    const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
    return { alpha, beta, sha: { alpha: sha(alpha), beta: sha(beta) } };
  }

  /** Whether a details result is all from one program (or undefined for a mixed one). */
  function programOf(details: {
    path: string;
    args?: string[];
    environ?: { get(name: string): string | undefined };
  }): string | undefined {
    const name = basename(details.path);
    const consistent =
      details.args?.[0] === details.path && details.environ?.get('PROGRAM') === name;
    return consistent ? name : undefined;
  }

  test.each(styles)(
    'details, %s: never the fields of two programs',
    async (style: Style) => {
      const { alpha, beta } = flipPair();
      const child = trackChild(
        spawn(alpha, [beta, 'loop'], { env: { PROGRAM: 'alpha' }, stdio: 'ignore' }),
      );
      const process = Process.open(child.pid as number);
      const seen = { alpha: 0, beta: 0, mixed: [] as unknown[], changedTwice: 0 };
      for (let call = 0; call < 1500; call++) {
        try {
          const details = await detailsOf(process, style);
          const program = programOf(details);
          if (program === 'alpha' || program === 'beta') seen[program]++;
          else
            seen.mixed.push({ path: details.path, args: details.args, failures: details.failures });
        } catch (error) {
          if (!(error instanceof ProgramChangedError)) throw error;
          seen.changedTwice++;
        }
      }
      child.kill('SIGKILL');
      expect(seen.mixed).toEqual([]);
      // It did flip, and most calls got a whole reading.
      expect(seen.alpha).toBeGreaterThan(0);
      expect(seen.beta).toBeGreaterThan(0);
    },
    60_000,
  );

  test.each(styles)(
    'checksums, %s: those of the program it runs now, not the one before',
    async (style: Style) => {
      const { alpha, beta, sha } = flipPair();
      const child = trackChild(
        spawn(alpha, [beta, 'stdin'], {
          env: { PROGRAM: 'alpha' },
          stdio: ['pipe', 'pipe', 'ignore'],
        }),
      );
      const pid = child.pid as number;
      await firstLine(child);
      const process = Process.open(pid);
      const compute = () =>
        twin(
          style,
          () => process.computeChecksums(['sha256']),
          () => process.computeChecksumsAsync(['sha256']),
        );
      expect(await compute()).toEqual({ sha256: sha.alpha });
      // Exec beta: the cached alpha checksum is dropped, beta's computed.
      child.stdin?.write('go\n');
      await eventually(
        () => (readlinkSync(`/proc/${pid}/exe`) === beta ? true : undefined),
        'the exec',
      );
      expect(await compute()).toEqual({ sha256: sha.beta });
      expect(process.checksumSource).toBe('exe');
      child.kill('SIGKILL');
    },
  );
});
