// The text table of `procmon net` for a socket nobody visibly holds: its owner's name, its uid
// without one, and `-` when the owner is unknown (uid -1: a unix socket read from /proc/net/unix,
// as every one of a snapshot is; it was shown as the user "-1").
import type { SocketEntry } from '@procmon/netsock';
import { describe, expect, it } from 'vitest';
import { formatNet } from './net-format.js';

const unix = (inode: number, uid: number) =>
  ({
    family: 'unix',
    protocol: 'unix',
    inode,
    uid,
    state: 'ESTABLISHED',
    type: 'stream',
  }) as SocketEntry;

const userCell = (text: string, row: number) => {
  const lines = text.split('\n');
  const start = (lines[0] as string).indexOf('USER');
  return (lines[row] as string).slice(start).split(/ +/)[0];
};

describe('formatNet, a socket without holders', () => {
  it('shows the owner by name, by uid, or - when unknown', () => {
    const text = formatNet(
      {
        sockets: [
          { socket: unix(11, 0), user: 'root', holders: [] },
          { socket: unix(12, 1234), holders: [] },
          { socket: unix(13, -1), holders: [] },
        ],
        unreadable: [],
      },
      undefined,
    );
    expect([1, 2, 3].map((row) => userCell(text, row))).toEqual(['root', '1234', '-']);
  });
});
