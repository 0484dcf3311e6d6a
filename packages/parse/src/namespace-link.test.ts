import { describe, expect, it } from 'vitest';
import { bytes, fixtures, parseErrorOf } from '../test/helpers.js';
import { parseNamespaceLink } from './namespace-link.js';

const fixture = fixtures('ns');

describe('parseNamespaceLink', () => {
  it('reads `readlink /proc/<sleep>/ns/*` (cgroup ipc mnt net pid pid_for_children time time_for_children user uts)', () => {
    const text = new TextDecoder().decode(fixture('sleep-links.txt'));
    const links = text.split('\n').filter((line) => line !== '');
    expect(links.map((link) => parseNamespaceLink(link))).toEqual([
      { type: 'cgroup', inode: 4026531835 },
      { type: 'ipc', inode: 4026531839 },
      { type: 'mnt', inode: 4026531832 },
      { type: 'net', inode: 4026531833 },
      { type: 'pid', inode: 4026531836 },
      { type: 'pid', inode: 4026531836 },
      { type: 'time', inode: 4026531834 },
      { type: 'time', inode: 4026531834 },
      { type: 'user', inode: 4026531837 },
      { type: 'uts', inode: 4026531838 },
    ]);
  });

  it('reads bytes as it reads text, and a type a newer kernel may add', () => {
    expect(parseNamespaceLink(bytes(0x6e, 0x65, 0x74, 0x3a, 0x5b, 0x31, 0x5d))).toEqual({
      type: 'net',
      inode: 1,
    });
    expect(parseNamespaceLink('some_new:[4026532000]')).toEqual({
      type: 'some_new',
      inode: 4026532000,
    });
  });

  it('names what is wrong', () => {
    const cases: [string, string][] = [
      ['', 'no ":"'],
      ['net', 'no ":"'],
      [':[1]', 'the namespace type is empty'],
      ['Net:[1]', 'the namespace type is not a lowercase word'],
      ['/proc/1/ns/net:[1]', 'the namespace type is not a lowercase word'],
      ['net:1', 'expected "[" after "net:"'],
      ['net:[1', 'no "]" after the inode'],
      ['net:[1]\n', 'text after "]"'],
      ['net:[]', 'the inode is not a decimal number'],
      ['net:[-1]', 'the inode is not a decimal number'],
      ['net:[9007199254740993]', 'the inode is too large to be exact'],
    ];
    for (const [input, message] of cases) {
      const error = parseErrorOf(() => parseNamespaceLink(input));
      expect(error.kind).toBe('ns');
      expect(error.message).toContain(message);
    }
    expect(parseErrorOf(() => parseNamespaceLink(undefined as unknown as string)).kind).toBe('ns');
  });
});
