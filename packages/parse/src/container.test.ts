import { describe, expect, it } from 'vitest';
import { fixtures } from '../test/helpers.js';
import { parseCgroup } from './cgroup.js';
import { containerOf } from './container.js';

const fixture = fixtures('cgroup');
const ID = '4a1f3c9e2b7d6a5f8e0c1d2b3a4f5e6d7c8b9a0f1e2d3c4b5a69788796a5b4c3';
const CRI_ID = '0e1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091';
const POD = '8f2b6d1a-3c4e-4f5a-9b8c-7d6e5f4a3b2c';
const POD_ = POD.replaceAll('-', '_');

const pathsOf = (name: string) => parseCgroup(fixture(name)).map((entry) => entry.path);

describe('containerOf on cgroup files', () => {
  it('finds nothing on this machine: its paths name no container and no unit', () => {
    expect(containerOf(pathsOf('pid1'))).toBeUndefined();
    expect(containerOf(pathsOf('self'))).toBeUndefined();
  });

  it('reads docker on a v1-only host (cgroupfs driver)', () => {
    expect(containerOf(pathsOf('crafted-v1-docker'))).toEqual({ runtime: 'docker', id: ID });
  });

  it('reads docker with the systemd driver, with its scope and slice', () => {
    expect(containerOf(pathsOf('crafted-v2-docker-systemd'))).toEqual({
      runtime: 'docker',
      id: ID,
      unit: `docker-${ID}.scope`,
      slice: 'system.slice',
    });
  });

  it('reads a Kubernetes burstable pod: containerd id, pod uid with dashes, the pod slice', () => {
    expect(containerOf(pathsOf('crafted-hybrid-kubepods-burstable'))).toEqual({
      runtime: 'containerd',
      id: CRI_ID,
      podUid: POD,
      unit: `cri-containerd-${CRI_ID}.scope`,
      slice: `kubepods-burstable-pod${POD_}.slice`,
    });
  });

  // One hand-written file per runtime and driver: the expected values are read off the file.
  const POD2 = '5d0c7a3e-91b2-4c6f-a8d4-2e7f1b9c0a63';
  const perRuntime: [string, ReturnType<typeof containerOf>][] = [
    [
      'crafted-v2-podman-rootless',
      { runtime: 'podman', id: ID, unit: `libpod-${ID}.scope`, slice: 'user.slice' },
    ],
    [
      'crafted-v2-crio-kubepods-guaranteed',
      {
        runtime: 'cri-o',
        id: CRI_ID,
        podUid: POD2,
        unit: `crio-${CRI_ID}.scope`,
        slice: `kubepods-pod${POD2.replaceAll('-', '_')}.slice`,
      },
    ],
    ['crafted-v1-kubepods-cgroupfs', { runtime: 'kubernetes', id: CRI_ID, podUid: POD2 }],
    [
      'crafted-v2-containerd-systemd',
      {
        runtime: 'containerd',
        id: CRI_ID,
        unit: `cri-containerd-${CRI_ID}.scope`,
        slice: 'system.slice',
      },
    ],
    [
      'crafted-hybrid-session-scope',
      {
        runtime: 'systemd',
        id: 'session-2.scope',
        unit: 'session-2.scope',
        slice: 'user-1000.slice',
      },
    ],
    [
      'crafted-v2-nginx-service',
      { runtime: 'systemd', id: 'nginx.service', unit: 'nginx.service', slice: 'system.slice' },
    ],
  ];
  for (const [name, expected] of perRuntime) {
    it(`reads ${name}`, () => {
      expect(containerOf(pathsOf(name))).toEqual(expected);
    });
  }

  it('reads a systemd unit when no container is named', () => {
    expect(containerOf(pathsOf('crafted-v2-colons-in-path'))).toEqual({
      runtime: 'systemd',
      id: 'weird:name,with:colons.scope',
      unit: 'weird:name,with:colons.scope',
      slice: 'app.slice',
    });
  });
});

describe('containerOf on each runtime path', () => {
  const cases: [string, ReturnType<typeof containerOf>][] = [
    [`/docker/${ID}`, { runtime: 'docker', id: ID }],
    [
      `/system.slice/docker-${ID}.scope`,
      { runtime: 'docker', id: ID, unit: `docker-${ID}.scope`, slice: 'system.slice' },
    ],
    [
      `/system.slice/containerd.service/cri-containerd-${ID}.scope`,
      {
        runtime: 'containerd',
        id: ID,
        unit: `cri-containerd-${ID}.scope`,
        slice: 'system.slice',
      },
    ],
    [`/kubepods/burstable/pod${POD}/${CRI_ID}`, { runtime: 'kubernetes', id: CRI_ID, podUid: POD }],
    [`/kubepods/pod${POD}/${CRI_ID}`, { runtime: 'kubernetes', id: CRI_ID, podUid: POD }],
    [
      `/kubepods.slice/kubepods-pod${POD_}.slice/crio-${ID}.scope`,
      {
        runtime: 'cri-o',
        id: ID,
        podUid: POD,
        unit: `crio-${ID}.scope`,
        slice: `kubepods-pod${POD_}.slice`,
      },
    ],
    [
      `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${POD_}.slice/docker-${ID}.scope`,
      {
        runtime: 'docker',
        id: ID,
        podUid: POD,
        unit: `docker-${ID}.scope`,
        slice: `kubepods-besteffort-pod${POD_}.slice`,
      },
    ],
    [
      // A static pod's uid is a 32-digit hash.
      `/kubepods/besteffort/pod0123456789abcdef0123456789abcdef/${ID}`,
      { runtime: 'kubernetes', id: ID, podUid: '0123456789abcdef0123456789abcdef' },
    ],
    [
      `/machine.slice/libpod-${ID}.scope`,
      { runtime: 'podman', id: ID, unit: `libpod-${ID}.scope`, slice: 'machine.slice' },
    ],
    [
      `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope/container`,
      { runtime: 'podman', id: ID, unit: `libpod-${ID}.scope`, slice: 'user.slice' },
    ],
    [`/libpod_parent/libpod-${ID}`, { runtime: 'podman', id: ID }],
    [
      '/system.slice/nginx.service',
      { runtime: 'systemd', id: 'nginx.service', unit: 'nginx.service', slice: 'system.slice' },
    ],
    [
      '/user.slice/user-1000.slice/session-2.scope',
      {
        runtime: 'systemd',
        id: 'session-2.scope',
        unit: 'session-2.scope',
        slice: 'user-1000.slice',
      },
    ],
    ['/init.scope', { runtime: 'systemd', id: 'init.scope', unit: 'init.scope' }],
    // The monitor of a container is not in it.
    [
      `/machine.slice/libpod-conmon-${ID}.scope`,
      {
        runtime: 'systemd',
        id: `libpod-conmon-${ID}.scope`,
        unit: `libpod-conmon-${ID}.scope`,
        slice: 'machine.slice',
      },
    ],
    ['/', undefined],
    ['/user.slice', undefined],
    [`/docker/${ID.slice(1)}`, undefined],
    [`/docker/${ID.toUpperCase()}`, undefined],
    [
      `/system.slice/docker-${ID}x.scope`,
      {
        runtime: 'systemd',
        id: `docker-${ID}x.scope`,
        unit: `docker-${ID}x.scope`,
        slice: 'system.slice',
      },
    ],
    // A pod-looking folder outside kubepods is nothing.
    [`/pod${POD}/${ID}`, undefined],
  ];
  for (const [path, expected] of cases) {
    it(`reads ${path.length > 70 ? `${path.slice(0, 70)}...` : path}`, () => {
      expect(containerOf([path])).toEqual(expected);
    });
  }

  it('prefers a container on any path to a unit on an earlier one', () => {
    expect(containerOf(['/system.slice/sshd.service', `/docker/${ID}`])).toEqual({
      runtime: 'docker',
      id: ID,
    });
    expect(containerOf(['/system.slice/sshd.service', '/system.slice/cron.service'])?.unit).toBe(
      'sshd.service',
    );
    expect(containerOf([])).toBeUndefined();
  });

  it('believes the path: a user with a delegated subtree can name a scope like a container', () => {
    // What a user may create under their own user@1000.service: the path says docker, so
    // containerOf says docker. Callers must not treat the id as proof (see its docs).
    const forged = `/user.slice/user-1000.slice/user@1000.service/docker-${ID}.scope`;
    expect(containerOf([forged])?.runtime).toBe('docker');
  });
});
