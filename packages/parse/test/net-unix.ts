// What the parseNetUnix tests share: the table's header, the live capture's listener path, and
// the entry of a connected stream socket as the live capture shows it.
import type { UnixSocketEntry } from '../src/net-unix.js';

export const HEADER = 'Num       RefCount Protocol Flags    Type St Inode Path\n';
export const LISTEN_PATH = '/tmp/procmon-net-fixture/listen sock here';

export const connectedStream = (
  inode: number,
  path: string | null = null,
  possiblyForged = false,
): UnixSocketEntry => ({
  refCount: 3,
  protocol: 0,
  flags: 0,
  listening: false,
  type: 1,
  typeName: 'stream',
  state: 3,
  stateName: 'CONNECTED',
  inode,
  path,
  abstract: false,
  possiblyForged,
  pathMayContinue: false,
});
