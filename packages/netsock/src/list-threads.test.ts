// The addon's listing threads (listStart / listJoin): what a handle keeps, what a thread maps,
// and which values listJoin accepts.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { tempFolder } from '../../../test-support/processes.js';
import { liveHolder, realAddon } from '../test/helpers.js';
import { netsockBackend } from './backend.js';

const netlink = netsockBackend().name === 'netlink';
const addon = realAddon;

const holder = liveHolder();

/** How many mappings of this process are the size of a default 8 MiB thread stack (+ guard). */
function stackSizedMappings(): number {
  let count = 0;
  for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (!range) continue;
    const size = Number.parseInt(range[2] as string, 16) - Number.parseInt(range[1] as string, 16);
    if (size >= 8 * 1024 * 1024 && size <= 8 * 1024 * 1024 + 64 * 1024) count++;
  }
  return count;
}

describe.skipIf(!netlink)('listStart threads', () => {
  test('listJoin: records that do not fit are kept until a large enough buffer comes', () => {
    const native = addon();
    const folder = `/proc/${holder.pid}/fd`;
    const whole = new Uint8Array(1 << 20);
    const used = native.readlinks(folder, whole);
    const handle = native.listStart?.(folder);
    expect(handle).toBeDefined();
    expect(native.listJoin?.(handle, new Uint8Array(8))).toBe(used);
    const copy = new Uint8Array(used);
    expect(native.listJoin?.(handle, copy)).toBe(used);
    expect(copy).toEqual(whole.subarray(0, used));
  });

  test('a thread not yet joined keeps a small stack mapped, not 8 MiB', () => {
    const native = addon();
    const count = 64;
    const finish = (handle: unknown) => native.listJoin?.(handle, new Uint8Array(1 << 20));
    // Once first, so the malloc arenas the threads use exist before the count.
    for (const handle of Array.from({ length: count }, () => native.listStart?.('/proc/self/fd')))
      finish(handle);
    const before = stackSizedMappings();
    const handles = Array.from({ length: count }, () => native.listStart?.('/proc/self/fd'));
    const grown = stackSizedMappings() - before;
    for (const handle of handles) finish(handle);
    expect(handles.every((h) => h !== undefined)).toBe(true);
    // With default 8 MiB stacks, each of the 64 live threads maps one; with 256 KiB ones, none.
    // (VmSize would not tell: glibc's malloc arenas for new threads reserve 64 MiB each.)
    expect(grown).toBeLessThan(count / 2);
  });

  const cc = spawnSync('cc', ['--version']).status === 0;
  test.skipIf(!cc || !existsSync('/usr/include/node/node_api.h'))(
    'listJoin refuses an external made by another addon',
    () => {
      const folder = tempFolder('netsock-foreign-');
      // Shaped like a joined handle with nothing left: accepted, it would give 0.
      writeFileSync(
        join(folder, 'foreign.c'),
        `#include <node_api.h>
static unsigned long long fake[4] = {0, 0, 1, 0};
static napi_value make(napi_env env, napi_callback_info info) {
  napi_value v; napi_create_external(env, fake, NULL, NULL, &v); return v;
}
NAPI_MODULE_INIT() {
  napi_value f; napi_create_function(env, "external", NAPI_AUTO_LENGTH, make, NULL, &f);
  napi_set_named_property(env, exports, "external", f); return exports;
}
`,
      );
      const built = spawnSync(
        'cc',
        [
          '-shared',
          '-fPIC',
          '-I/usr/include/node',
          '-o',
          join(folder, 'foreign.node'),
          join(folder, 'foreign.c'),
        ],
        { encoding: 'utf8' },
      );
      expect(built.stderr).toBe('');
      const foreign = createRequire(import.meta.url)(join(folder, 'foreign.node')) as {
        external(): unknown;
      };
      expect(() => addon().listJoin?.(foreign.external(), new Uint8Array(64))).toThrow(
        new TypeError('listJoin: expected a handle of listStart'),
      );
      // A handle of listStart is still accepted.
      const handle = addon().listStart?.('/proc/self/fd');
      expect(addon().listJoin?.(handle, new Uint8Array(1 << 20))).toBeGreaterThan(0);
    },
  );
});
