// The addon's functions refuse what they cannot use with a TypeError naming the problem, before
// any system call: a missing argument, a descriptor that is not one, bytes that are not a
// Uint8Array. (Before, a missing argument returned undefined without a word.)
import { describe, expect, test } from 'vitest';
import { loadAddon, type NetsockAddon } from './addon.js';

const loaded = loadAddon();
const addon = 'addon' in loaded ? loaded.addon : undefined;

describe.skipIf(addon === undefined)('addon arguments', () => {
  const native = addon as NetsockAddon;
  const call =
    (name: keyof NetsockAddon, ...args: unknown[]) =>
    () =>
      (native[name] as (...a: unknown[]) => unknown)(...args);

  test.each([
    ['send', 2, [3]],
    ['recv', 2, [3]],
    ['portId', 1, []],
    ['close', 1, []],
    ['exchangeAsync', 5, [3, new Uint8Array(16), 1, 0]],
  ] as const)('%s with too few arguments: "expected %i argument(s)"', (name, count, args) => {
    const plural = count === 1 ? '' : 's';
    expect(call(name, ...args)).toThrow(
      new TypeError(`${name}: expected ${count} argument${plural}`),
    );
  });

  test('a descriptor that is not a non-negative integer', () => {
    for (const fd of [-1, 'three', undefined]) {
      expect(call('close', fd)).toThrow(
        new TypeError('the descriptor must be a non-negative integer'),
      );
    }
  });

  test('exchangeAsync: numbers out of range, before anything is queued', () => {
    const request = new Uint8Array(16);
    expect(call('exchangeAsync', 3, request, -1, 0, 65536)).toThrow(
      new TypeError('exchangeAsync: the sequence number must be an integer in [0, 2^32)'),
    );
    expect(call('exchangeAsync', 3, request, 1, 2 ** 32, 65536)).toThrow(
      new TypeError('exchangeAsync: the port id must be an integer in [0, 2^32)'),
    );
    expect(call('exchangeAsync', 3, request, 1, 0, 1.5)).toThrow(
      new TypeError('exchangeAsync: the datagram size must be an integer'),
    );
    expect(call('exchangeAsync', 3, request, 1, 0, 8)).toThrow(
      new RangeError('exchangeAsync: the datagram size must be 16 B to 16 MiB'),
    );
  });

  test('bytes that are not a Uint8Array', () => {
    for (const bytes of [new Uint16Array(4), [1, 2], 'bytes']) {
      expect(call('send', 0, bytes)).toThrow(new TypeError('expected a Uint8Array'));
    }
  });
});
