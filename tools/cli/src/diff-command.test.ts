// `procmon diff` through the built binary, over snapshots the built binary took of processes this
// test started: a program rewritten between the two (against sha256sum), a child with a hostile
// argument and a listener started after the first. Text escapes what processes chose; JSON keeps
// it exact; a file that is missing or no snapshot is one line naming it.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  exited,
  firstLine,
  tempFolder,
  trackChild,
} from '../../../test-support/processes.js';
import { procmon } from '../test/binary.js';

afterAll(cleanup);

// An argument with an escape sequence and a newline: a terminal must never get them raw.
const HOSTILE = 'evil\u001b[31m\nline';
const LISTENER =
  "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>console.log(s.address().port));setInterval(()=>{},1e6)";

let folder: string;
let program: string;
let before: string;
let after: string;
let oldPid: number;
let newPid: number;
let listenerPid: number;
let port: number;
let digests: [string, string];

const sha256 = (file: string) =>
  execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0] as string;

function snapshot(file: string, pids: number[]): void {
  const run = procmon(['snapshot', '-o', file, '-p', pids.join(','), '--checksums']);
  if (run.status !== 0) throw new Error(`procmon snapshot: ${run.stderr}`);
}

beforeAll(async () => {
  folder = tempFolder('procmon-diff-cli-');
  program = join(folder, 'my-sleep');
  copyFileSync('/bin/sleep', program);
  const old = trackChild(spawn(program, ['1000'], { stdio: 'ignore' }));
  oldPid = old.pid as number;
  before = join(folder, 'before.tar.gz');
  snapshot(before, [oldPid]);
  const first = sha256(program);
  old.kill('SIGKILL');
  await exited(old);
  appendFileSync(program, 'rewritten');
  digests = [first, sha256(program)];
  const again = trackChild(spawn(program, ['1000'], { stdio: 'ignore' }));
  newPid = again.pid as number;
  const listener = trackChild(
    spawn(process.execPath, ['-e', LISTENER, HOSTILE], { stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  port = Number(await firstLine(listener));
  listenerPid = listener.pid as number;
  after = join(folder, 'after.tar.gz');
  snapshot(after, [newPid, listenerPid]);
});

describe('procmon diff', () => {
  it('prints the changes grouped, exit status 0, hostile args escaped', () => {
    const run = procmon(['diff', before, after]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const text = run.stdout;
    expect(text).not.toContain('\u001b');
    const sections = text.split('\n\n');
    const started = sections.find((s) => s.startsWith('started (2)'));
    expect(started).toMatch(new RegExp(`^ +${newPid} +${process.pid} .* ${program} 1000$`, 'm'));
    // The argument with ESC and a newline is on one line, quoted, its bytes shown escaped.
    const line = started?.split('\n').find((l) => l.includes(` ${listenerPid} `));
    expect(line).toContain("'evil\\x1b[31m\\x0aline'");
    expect(sections.find((s) => s.startsWith('gone (1)'))).toMatch(
      new RegExp(`^ +${oldPid} `, 'm'),
    );
    expect(sections.find((s) => s.startsWith('checksum changed (1)'))).toBe(
      [
        'checksum changed (1)',
        `  ${program}  sha256`,
        `    before  ${digests[0]}  run by ${oldPid} (my-sleep)`,
        `    after   ${digests[1]}  run by ${newPid} (my-sleep)`,
      ].join('\n'),
    );
    const listeners = sections.find((s) => s.startsWith('new listeners ('));
    expect(listeners).toContain(`  tcp  127.0.0.1:${port}  LISTEN  ${listenerPid} (node)`);
  });

  it('prints the same diff as JSON, strings exact', () => {
    const run = procmon(['diff', '--json', before, after]);
    expect(run.status).toBe(0);
    const diff = JSON.parse(run.stdout);
    expect(diff.before.file).toBe(before);
    expect(diff.started.find((p: { pid: number }) => p.pid === listenerPid).args).toEqual([
      process.execPath,
      '-e',
      LISTENER,
      HOSTILE,
    ]);
    expect(diff.gone.map((p: { pid: number }) => p.pid)).toEqual([oldPid]);
    expect(diff.checksumChanged).toMatchObject([
      { kind: 'path', path: program, before: [digests[0]], after: [digests[1]] },
    ]);
    const listener = diff.newListeners.find(
      (s: { local: { port: number } }) => s.local.port === port,
    );
    expect(listener.holders.map((p: { pid: number }) => p.pid)).toEqual([listenerPid]);
  });

  it('says checksums were not compared when a snapshot has none', () => {
    const plain = join(folder, 'plain.tar.gz');
    expect(procmon(['snapshot', '-o', plain, '-p', String(newPid)]).status).toBe(0);
    const run = procmon(['diff', plain, after]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('checksum changed  not compared');
  });

  it('names a missing file, and a file that is no snapshot, in one line with status 1', () => {
    const missing = procmon(['diff', before, join(folder, 'missing.tar.gz')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(
      `procmon: cannot read snapshot ${join(folder, 'missing.tar.gz')}: ENOENT\n`,
    );
    const junk = join(folder, 'junk.tar.gz');
    writeFileSync(junk, 'not a snapshot');
    const notGzip = procmon(['diff', junk, after]);
    expect(notGzip.status).toBe(1);
    expect(notGzip.stderr).toMatch(new RegExp(`^procmon: ${junk}: .*not a gzip file.*\\n$`));
  });

  it('needs two files (a usage error)', () => {
    const run = procmon(['diff', before]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("missing required argument 'after'");
  });
});
