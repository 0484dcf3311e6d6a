// The mapping from diffSnapshots' result (hand-written here in its shape) to what the diff panel
// shows: commands from args (the path when there are none), IPv6 protocols marked, holders by pid.
import { describe, expect, it } from 'vitest';
import { fromSnapshotDiff } from './diff-source.js';

const nginx = {
  pid: 700,
  startTime: 9000,
  comm: 'nginx',
  args: ['nginx', '-g', 'daemon off;'],
  path: '/usr/sbin/nginx',
};
const kworker = { pid: 12, startTime: 3, comm: 'kworker/0:1', args: [] };

describe('fromSnapshotDiff', () => {
  it('gives the panel its processes and listeners', () => {
    const diff = fromSnapshotDiff({
      started: [nginx],
      gone: [kworker],
      newListeners: [
        { protocol: 'tcp', family: 'inet6', local: { address: '::', port: 80 }, holders: [nginx] },
      ],
      goneListeners: [
        { protocol: 'udp', family: 'inet', local: { address: '0.0.0.0', port: 53 }, holders: [] },
      ],
    });
    expect(diff.started).toEqual([
      { pid: 700, startTime: 9000, comm: 'nginx', command: 'nginx -g daemon off;' },
    ]);
    expect(diff.gone).toEqual([{ pid: 12, startTime: 3, comm: 'kworker/0:1', command: '' }]);
    expect(diff.newListeners).toEqual([
      { protocol: 'tcp6', address: '::', port: 80, holders: [700] },
    ]);
    expect(diff.goneListeners).toEqual([
      { protocol: 'udp', address: '0.0.0.0', port: 53, holders: [] },
    ]);
  });
});
