// `procmon tree 1 --children` over a chain of parents thousands deep: a snapshot packed here by
// the system's tar, pid N the child of pid N-1 (one unprivileged user can make such a chain live
// too). The walk recursed and overflowed the call stack at 3000 (an internal error); the subtree
// now comes out whole, each process one row under its parent.
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, tempFolder } from '../../../test-support/processes.js';
import { procmon } from '../test/binary.js';

afterAll(cleanup);

const DEPTH = 4000;

/** The snapshot of a chain 1 <- 2 <- ... <- DEPTH, each process running /bin/chain-N. */
function chainSnapshot(): string {
  const root = tempFolder('procmon-tree-deep-');
  const pids = Array.from({ length: DEPTH }, (_, i) => i + 1);
  const manifest = {
    format: 'procmon-snapshot',
    version: 1,
    takenAt: '2026-01-02T03:04:05.000Z',
    hostname: 'deep',
    kernel: '0.0.0-test',
    pageSize: 4096,
    clockTicks: 100,
    bootTimeSeconds: 1_767_000_000,
    pids,
    vanished: [],
    failures: [],
    environ: { captured: false, redacted: [] },
  };
  writeFileSync(join(root, 'manifest.json'), JSON.stringify(manifest));
  for (const pid of pids) {
    const folder = join(root, 'proc', String(pid));
    mkdirSync(folder, { recursive: true });
    // state, ppid, start tick 100, and code and argument addresses (zero reads as mid-exec).
    const fields = Array.from({ length: 50 }, () => '0');
    fields[0] = 'S';
    fields[1] = String(pid - 1);
    fields[19] = '100';
    fields[23] = '4096';
    fields[24] = '8192';
    fields[45] = '12288';
    writeFileSync(join(folder, 'stat'), `${pid} (chain) ${fields.join(' ')}\n`);
    writeFileSync(join(folder, 'cmdline'), `chain-${pid}\0`);
    symlinkSync(`/bin/chain-${pid}`, join(folder, 'exe'));
  }
  const archive = `${root}.tar.gz`;
  const tar = spawnSync('tar', ['--format=posix', '-czf', archive, 'manifest.json', 'proc'], {
    cwd: root,
  });
  if (tar.status !== 0) throw new Error(`tar: ${tar.stderr}`);
  return archive;
}

describe('tree --children of a chain thousands deep', () => {
  it('shows every process under its parent, without an internal error', () => {
    const run = procmon(['tree', '1', '--children', '--from', chainSnapshot()]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const rows = run.stdout.trimEnd().split('\n');
    expect(rows).toHaveLength(DEPTH);
    for (const [index, row] of rows.entries()) {
      const pid = index + 1;
      const match = /^ *([0-9]+) {2}( *)(└─ )?\/bin\/chain-([0-9]+)$/.exec(row);
      expect(match, row.slice(0, 80)).not.toBeNull();
      expect(Number(match?.[1])).toBe(pid);
      expect(Number(match?.[4])).toBe(pid);
      // Each level three columns further right than its parent's.
      expect(match?.[2]?.length).toBe(index === 0 ? 0 : 3 * (index - 1));
    }
  }, 60_000);
});
