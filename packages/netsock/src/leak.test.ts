// Resolvers that are never closed: their netlink sockets are closed once the garbage collector
// takes them (a FinalizationRegistry), so the process's descriptor count comes back.
import { readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, test } from 'vitest';
import { netsockBackend } from './backend.js';
import { SocketResolver } from './resolver.js';

const openDescriptors = () => readdirSync('/proc/self/fd').length;

/** global.gc when node runs with --expose-gc, else the same function, exposed now. */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Opens `count` resolvers' sockets and keeps no reference to any of them. */
function useAndDrop(count: number): void {
  for (let i = 0; i < count; i++) new SocketResolver().resolve([1]);
}

describe.skipIf(netsockBackend().name !== 'netlink')('resolvers never closed', () => {
  test('have their netlink sockets closed after garbage collection', async () => {
    const gc = collector();
    const before = openDescriptors();
    useAndDrop(100);
    const opened = openDescriptors() - before;
    // The resolvers did open sockets (the collector may have closed a few meanwhile).
    expect(opened).toBeGreaterThan(5);
    for (let round = 0; round < 10 && openDescriptors() - before > 5; round++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(openDescriptors() - before).toBeLessThanOrEqual(5);
  }, 30_000);

  test('a closed resolver closes each socket once; a later call opens a new one', () => {
    const resolver = new SocketResolver();
    const before = openDescriptors();
    resolver.resolve([1]);
    expect(openDescriptors()).toBe(before + 1);
    resolver.close();
    resolver.close();
    expect(openDescriptors()).toBe(before);
    resolver.resolve([1]);
    expect(openDescriptors()).toBe(before + 1);
    resolver.close();
    expect(openDescriptors()).toBe(before);
  });
});
