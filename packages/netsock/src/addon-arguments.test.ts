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
    ['readlinks', 2, ['/proc/self/fd']],
    ['listStart', 1, []],
    ['listJoin', 2, []],
    ['listAsync', 1, []],
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

  test('bytes that are not a Uint8Array', () => {
    for (const bytes of [new Uint16Array(4), [1, 2], 'bytes']) {
      expect(call('send', 0, bytes)).toThrow(new TypeError('expected a Uint8Array'));
    }
  });
});
