// The browser build's address syntax (ip-syntax.browser.ts, no node:net) against Node's own.
import { isIPv4, isIPv6 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as browser from './ip-syntax.browser.js';

const CASES = [
  '',
  '0.0.0.0',
  '127.0.0.1',
  '255.255.255.255',
  '256.0.0.1',
  '01.2.3.4',
  '1.2.3',
  '1.2.3.4.5',
  '1.2.3.4 ',
  ' 1.2.3.4',
  '1..2.3',
  '0x7f.0.0.1',
  '::',
  '::1',
  '1::',
  '2001:db8::1',
  '2001:0db8:0000:0000:0000:ff00:0042:8329',
  '2001:db8:::1',
  '2001:db8::1::2',
  '1:2:3:4:5:6:7:8',
  '1:2:3:4:5:6:7:8:9',
  '1:2:3:4:5:6:7',
  '::ffff:127.0.0.1',
  '::ffff:256.0.0.1',
  '::127.0.0.1',
  '1:2:3:4:5:6:1.2.3.4',
  '1:2:3:4:5:6:7:1.2.3.4',
  'fe80::1%eth0',
  'fe80::1%',
  'fe80::1%eth0%x',
  'fe80::1%eth_0',
  'fe80::1%a:b.c-d',
  'fe80::1%eth 0',
  '[::1]',
  '::1]/[::2',
  '12345::1',
  'g::1',
  ':1',
  '1:',
  ':::',
  '::ffff:1.2.3',
];

describe('isIPv4 and isIPv6 without node:net', () => {
  test.each(CASES)('%j', (text) => {
    expect([browser.isIPv4(text), browser.isIPv6(text)]).toEqual([isIPv4(text), isIPv6(text)]);
  });

  test('the same answers on random text of address characters', () => {
    const piece = fc.constantFrom(
      ...['0', '1', '01', 'f', 'ff', 'ffff', 'fffff', '255', '256', '1.2.3.4', 'g', ' ', '-'],
      ...[':', '::', '.', '%e', '%', '[', ']', '/'],
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }), (pieces) => {
        const text = pieces.join('');
        expect([browser.isIPv4(text), browser.isIPv6(text)]).toEqual([isIPv4(text), isIPv6(text)]);
      }),
      { numRuns: 20_000, seed: 16 },
    );
  });
});
