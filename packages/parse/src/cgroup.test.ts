import { describe, expect, it } from 'vitest';
import { bytes, bytesOf, fixtures, latin1Text, parseErrorOf } from '../test/helpers.js';
import { type CgroupEntry, parseCgroup } from './cgroup.js';
import { encodeText } from './text.js';

const fixture = fixtures('cgroup');
const DOCKER_ID = '4a1f3c9e2b7d6a5f8e0c1d2b3a4f5e6d7c8b9a0f1e2d3c4b5a69788796a5b4c3';
const CRI_ID = '0e1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091';

const v1 = (hierarchyId: number, controllers: string[], path: string): CgroupEntry => ({
  hierarchyId,
  controllers,
  path,
  deleted: false,
});

describe('parseCgroup on real captures', () => {
  it('reads `cat /proc/1/cgroup` on this hybrid machine (v1 controllers and v2 side by side)', () => {
    expect(parseCgroup(fixture('pid1'))).toEqual([
      v1(9, ['name=systemd'], '/'),
      v1(8, ['pids'], '/'),
      v1(7, ['blkio'], '/'),
      v1(6, ['freezer'], '/'),
      v1(5, ['devices'], '/'),
      v1(4, ['memory'], '/'),
      v1(3, ['cpuset'], '/'),
      v1(2, ['cpuacct'], '/'),
      v1(1, ['cpu'], '/'),
      v1(0, [], '/'),
    ]);
  });

  it('reads `cat /proc/self/cgroup`: one memory cgroup below the root', () => {
    const entries = parseCgroup(fixture('self'));
    expect(entries).toHaveLength(10);
    expect(entries[5]).toEqual(v1(4, ['memory'], '/process_api/63d965c4450944867c0c5dc0460d9156'));
  });
});

describe('parseCgroup on hand-written files', () => {
  it('reads a v1-only docker host, with two controllers on one hierarchy', () => {
    const path = `/docker/${DOCKER_ID}`;
    expect(parseCgroup(fixture('crafted-v1-docker'))).toEqual([
      v1(12, ['pids'], path),
      v1(11, ['hugetlb'], path),
      v1(10, ['cpu', 'cpuacct'], path),
      v1(9, ['memory'], path),
      v1(1, ['name=systemd'], path),
    ]);
  });

  it('reads a hybrid Kubernetes node (systemd driver, burstable pod)', () => {
    const entries = parseCgroup(fixture('crafted-hybrid-kubepods-burstable'));
    expect(entries.map((e) => [e.hierarchyId, e.controllers.join(',')])).toEqual([
      [5, 'memory'],
      [4, 'cpu,cpuacct'],
      [1, 'name=systemd'],
      [0, ''],
    ]);
    expect(entries[3]?.path).toBe(
      `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod8f2b6d1a_3c4e_4f5a_9b8c_7d6e5f4a3b2c.slice/cri-containerd-${CRI_ID}.scope`,
    );
  });

  it('reads a v2-only docker container (systemd driver)', () => {
    expect(parseCgroup(fixture('crafted-v2-docker-systemd'))).toEqual([
      v1(0, [], `/system.slice/docker-${DOCKER_ID}.scope`),
    ]);
  });

  it('takes everything after the second colon as the path', () => {
    expect(parseCgroup(fixture('crafted-v2-colons-in-path'))[0]?.path).toBe(
      '/user.slice/user-1000.slice/user@1000.service/app.slice/weird:name,with:colons.scope',
    );
  });

  it('flags a removed v2 cgroup and drops " (deleted)" from its path; a last line may lack its newline', () => {
    expect(parseCgroup(fixture('crafted-v2-deleted-no-newline'))).toEqual([
      {
        hierarchyId: 0,
        controllers: [],
        path: '/user.slice/user-1000.slice/session-2.scope',
        deleted: true,
      },
    ]);
    // v1 lines never carry the mark: there it is part of the name.
    expect(parseCgroup('3:memory:/a (deleted)\n')[0]).toEqual(v1(3, ['memory'], '/a (deleted)'));
    // The root keeps its "/".
    expect(parseCgroup('0::/ (deleted)')[0]).toEqual({ ...v1(0, [], '/'), deleted: true });
  });

  it('gives no entries for an empty file', () => {
    expect(parseCgroup('')).toEqual([]);
  });

  it('keeps a non-UTF-8 path losslessly by default, and refuses it with the strict decoding', () => {
    const input = Uint8Array.from([...bytesOf('0::/evil'), 0xff, 0xfe, ...bytesOf('.scope\n')]);
    const [entry] = parseCgroup(input);
    expect(encodeText(entry?.path ?? '')).toEqual(input.subarray(3, input.length - 1));
    const error = parseErrorOf(() => parseCgroup(input, { decoding: 'strict' }));
    expect(error.kind).toBe('cgroup');
    expect(error.message).toContain('not valid UTF-8');
    expect(error.offset).toBe(8);
    expect(parseCgroup(input, { decoding: 'replace' })[0]?.path).toBe('/evil\ufffd\ufffd.scope');
  });

  it('gives the same answer for the bytes and their text', () => {
    const data = fixture('crafted-hybrid-kubepods-burstable');
    expect(parseCgroup(latin1Text(data))).toEqual(parseCgroup(data));
  });
});

describe('parseCgroup on malformed input', () => {
  it('names the line and what is wrong', () => {
    const cases: [string | Uint8Array, string][] = [
      ['0:/\n', 'line 1 is not "<id>:<controllers>:<path>" (fewer than two ":")'],
      ['0::/\n1:cpu\n', 'line 2 is not "<id>:<controllers>:<path>"'],
      ['x::/\n', 'line 1: the hierarchy id is not a decimal number'],
      [':cpu:/\n', 'line 1: the hierarchy id is not a decimal number'],
      ['99999999999999999999::/\n', 'line 1: the hierarchy id is too large to be exact'],
      ['1:cpu,,memory:/\n', 'line 1: a controller name is empty'],
      ['1:cpu,:/\n', 'line 1: a controller name is empty'],
      ['1:cpu:\n', 'line 1: the path does not start with "/"'],
      ['1:cpu:docker/x\n', 'line 1: the path does not start with "/"'],
      ['0::/\n\n1:cpu:/\n', 'line 2 is empty'],
      [bytes(0x31, 0x3a, 0x3a), 'line 1: the path does not start with "/"'],
    ];
    for (const [input, message] of cases) {
      const error = parseErrorOf(() => parseCgroup(input));
      expect(error.kind).toBe('cgroup');
      expect(error.message).toContain(message);
    }
  });

  it('reads a truncated file as fewer whole lines or a ParseError, never an entry without a path', () => {
    const data = fixture('crafted-v1-docker');
    for (let cut = 1; cut < data.length; cut++) {
      try {
        for (const entry of parseCgroup(data.subarray(0, cut))) {
          expect(entry.path.startsWith('/')).toBe(true);
        }
      } catch {
        expect(parseErrorOf(() => parseCgroup(data.subarray(0, cut))).kind).toBe('cgroup');
      }
    }
  });

  it('refuses an unknown decoding and a wrong input type as ParseErrors', () => {
    expect(parseErrorOf(() => parseCgroup('0::/x\n', { decoding: 'utf8' as 'strict' })).kind).toBe(
      'cgroup',
    );
    expect(parseErrorOf(() => parseCgroup(null as unknown as string)).kind).toBe('cgroup');
  });
});
