// Fuzz targets of /proc/<pid>/cgroup (every decoding) and containerOf: only ParseError comes out
// of the parser; each line is one entry with a path from "/"; containerOf never throws and gives
// the documented shape.
import fc from 'fast-check';
import { type CgroupContainer, containerOf, parseCgroup } from '../../src/index.js';
import {
  accepted,
  ascii,
  check,
  corpus,
  decodingOption,
  everyPrefix,
  type FuzzInput,
  fuzzFile,
  isNat,
  lineCount,
  parseBoth,
  parserInput,
  show,
} from './support.js';

const fuzz = fuzzFile(import.meta.url);
const HEX64 = 'a'.repeat(64);
const tokens = [
  '0::/',
  ':name=systemd:',
  ',',
  ' (deleted)',
  '/docker/',
  HEX64,
  `docker-${HEX64}.scope`,
  'kubepods-burstable-pod',
  '.slice/',
  '.scope',
  '.service',
].map(ascii);

const RUNTIMES = new Set(['docker', 'containerd', 'cri-o', 'podman', 'kubernetes', 'systemd']);

function checkContainer(found: CgroupContainer | undefined, paths: readonly string[]): void {
  if (found === undefined) return;
  check(RUNTIMES.has(found.runtime), () => `runtime ${found.runtime}`);
  check(typeof found.id === 'string' && found.id.length > 0, 'id');
  if (found.runtime === 'systemd') check(found.unit === found.id, 'a unit is its id');
  else check(/^[0-9a-f]{64}$/.test(found.id), () => `container id ${found.id}`);
  check(
    paths.some((path) => path.includes(found.id)),
    'the id is from a path',
  );
  if (found.podUid !== undefined) {
    check(/^[0-9a-f-]+$/.test(found.podUid), () => `pod uid ${found.podUid}`);
  }
}

fuzz.target(
  'parseCgroup',
  fc.tuple(parserInput(corpus('cgroup'), { tokens }), decodingOption),
  ([value, decoding]) => {
    const options = decoding === undefined ? undefined : { decoding };
    const result = parseBoth(value, 'cgroup', (input) => parseCgroup(input as Uint8Array, options));
    if (!result.ok) return;
    const entries = result.value;
    if (value.bytes !== undefined) {
      check(
        entries.length === lineCount(value.bytes),
        () => `not one entry a line: ${show(value)}`,
      );
    }
    for (const entry of entries) {
      check(isNat(entry.hierarchyId), 'hierarchy id');
      check(entry.path.startsWith('/') && !entry.path.includes('\n'), () => `path ${entry.path}`);
      check(
        entry.controllers.every((name) => name.length > 0 && !/[,:\n]/.test(name)),
        'controllers',
      );
      check(!entry.deleted || entry.hierarchyId === 0, 'deleted on a v1 line');
    }
    const paths = entries.map((entry) => entry.path);
    checkContainer(containerOf(paths), paths);
  },
  { sweep: everyPrefix(corpus('cgroup'), (input): [FuzzInput, undefined] => [input, undefined]) },
);

// containerOf on any strings, and on paths built from the segments it looks for.
const segment = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    'docker',
    'libpod_parent',
    'kubepods',
    'burstable',
    `pod${'1'.repeat(32)}`,
    'kubepods-burstable-pod01234567_89ab_cdef_0123_456789abcdef.slice',
    HEX64,
    `docker-${HEX64}.scope`,
    `cri-containerd-${HEX64}.scope`,
    `libpod-${HEX64}`,
    'system.slice',
    'nginx.service',
    '.scope',
  ),
);
fuzz.target(
  'containerOf',
  fc.array(
    fc.array(segment, { maxLength: 6 }).map((parts) => `/${parts.join('/')}`),
    {
      maxLength: 4,
    },
  ),
  (paths) => {
    const found = containerOf(paths);
    if (found !== undefined) accepted();
    checkContainer(found, paths);
  },
);
