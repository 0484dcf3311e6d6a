// The built ESM bundle (dist/index.js), loaded into headless Chromium, must parse every fixture
// exactly as Node does: same values, same ParseErrors. Nothing goes over the network: the page and
// the bundle are served from memory to a made-up origin by request interception.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInChromium, launchChromium, memoryPage } from '../../../test-support/chromium.js';

const ORIGIN = 'http://procmon.test';
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** One parser call: the export to call and the options it gets after the input. */
interface Call {
  fn: string;
  options?: Record<string, unknown>;
}
/** A fixture file's calls, or the reason it is not a parser input. */
type Mapping = Call[] | { ignore: string };

const TEXT_DECODINGS = ['strict', 'replace', 'latin1'] as const;
/** A text parser with its default decoding and with every other one (where engines could differ). */
const withDecodings = (fn: string, options: Record<string, unknown> = {}): Call[] => [
  Object.keys(options).length > 0 ? { fn, options } : { fn },
  ...TEXT_DECODINGS.map((decoding) => ({ fn, options: { ...options, decoding } })),
];

// /proc/net tables, by the protocol in the fixture's file name (live-tcp6, crafted-udp-..., ...).
// Inet tables are read as written on a little-endian machine (the default) and on a big-endian one.
const INET_TABLE = /(?:^|[-_.])(tcp|udplite|udp|raw|icmp)(6?)(?:[-_.]|$)/;
const INODE_TABLE = /(?:^|[-_.])(netlink|packet)(?:[-_.]|$)/;
const UNIX_TABLE = /(?:^|[-_.])unix(?:[-_.]|$)/;
function netTable(name: string): Call[] {
  const inet = INET_TABLE.exec(name);
  if (inet) {
    const options = { protocol: inet[1], family: inet[2] === '6' ? 'inet6' : 'inet' };
    return [
      { fn: 'parseNetInet', options },
      { fn: 'parseNetInet', options: { ...options, littleEndian: false } },
    ];
  }
  const inodes = INODE_TABLE.exec(name);
  if (inodes) return [{ fn: 'parseNetInodes', options: { table: inodes[1] } }];
  return UNIX_TABLE.test(name) ? withDecodings('parseNetUnix') : [];
}

/**
 * Fixture folder (first path segment under test/fixtures) to the calls its files get. A folder
 * that is not here fails the test, so a new kind of fixture cannot go unchecked.
 */
const FOLDERS: Record<string, (file: string) => Mapping> = {
  stat: () => withDecodings('parseStat'),
  statm: () => [{ fn: 'parseStatm', options: { pageSize: 4096 } }],
  io: () => [{ fn: 'parseIo' }],
  environ: () => [...withDecodings('parseEnviron'), { fn: 'parseEnvironEntries' }],
  cmdline: () => [
    ...withDecodings('parseCmdline'),
    ...withDecodings('parseCmdline', { splitRewrittenTitle: false }),
    { fn: 'parseCmdlineBytes' },
    { fn: 'parseCmdlineBytes', options: { splitRewrittenTitle: false } },
  ],
  status: () => withDecodings('parseStatus'),
  maps: () => withDecodings('parseMaps'),
  // One link target per line; see linesOf.
  'fd-target': () => withDecodings('parseFdTarget'),
  smaps_rollup: () => [{ fn: 'parseSmapsRollup' }],
  meminfo: () => [{ fn: 'parseMeminfo' }],
  cgroup: () => withDecodings('parseCgroup'),
  limits: () => [{ fn: 'parseLimits' }],
  fdinfo: () => [{ fn: 'parseFdinfo' }],
  // One namespace link target per line; see linesOf.
  ns: () => [{ fn: 'parseNamespaceLink' }],
  net: (file) => {
    const name = file.slice(file.lastIndexOf('/') + 1);
    if (/^live-fds-.*\.txt$/.test(name))
      return { ignore: 'fd to socket inode list, not a /proc/net table' };
    return netTable(name);
  },
};

/** Folders whose files hold many inputs, one per line (a link target never holds a newline here). */
const LINE_FOLDERS = new Set(['fd-target', 'ns']);

// The serializer and runner, as source, so Node and the page run the very same code. Results are
// JSON with bigint, Map, Set, typed arrays, non-finite numbers, -0, undefined and errors tagged, so
// `1n` and `1`, a Map and an object, or two different errors never compare equal. (A plain template
// literal: keep backslashes and `${` out of it.)
const SHARED_SOURCE = `
function serialize(value) {
  return JSON.stringify(value, function (key, replaced) {
    const raw = this[key];
    if (typeof raw === 'bigint') return { $bigint: raw.toString() };
    if (typeof raw === 'number') {
      if (Object.is(raw, -0)) return { $number: '-0' };
      return Number.isFinite(raw) ? raw : { $number: String(raw) };
    }
    if (raw === undefined) return { $undefined: true };
    if (typeof raw === 'function' || typeof raw === 'symbol') return { $unserializable: typeof raw };
    if (raw instanceof Map) return { $map: Array.from(raw) };
    if (raw instanceof Set) return { $set: Array.from(raw) };
    if (raw instanceof Uint8Array) return { $bytes: Array.from(raw) };
    if (ArrayBuffer.isView(raw)) return { $view: Object.prototype.toString.call(raw), bytes: Array.from(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength)) };
    if (raw instanceof Date) return { $date: raw.getTime() };
    if (raw instanceof Error) {
      return { error: raw.name, message: raw.message, kind: raw.kind, offset: raw.offset, excerpt: raw.excerpt };
    }
    return replaced;
  });
}
function inputOf(c) {
  const bytes = Uint8Array.from(c.bytes);
  if (c.as === 'bytes') return bytes;
  // One character per byte: the same string on both sides, whatever the bytes.
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  return text;
}
function runCase(mod, c) {
  const parse = mod[c.fn];
  if (typeof parse !== 'function') return serialize({ missingExport: c.fn });
  const input = inputOf(c);
  try {
    return serialize({ value: c.options === undefined ? parse(input) : parse(input, c.options) });
  } catch (error) {
    return serialize({ threw: error });
  }
}
return { serialize, runCase };
`;

interface Shared {
  serialize(value: unknown): string;
  runCase(mod: unknown, c: Case): string;
}
/** A call on one input, fed to the parser as bytes or as a string (one character per byte). */
interface Case extends Call {
  label: string;
  bytes: number[];
  as: 'bytes' | 'string';
}

const shared = new Function(SHARED_SOURCE)() as Shared;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

function linesOf(bytes: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    lines.push(bytes.subarray(start, end));
    start = end + 1;
  }
  return lines;
}

interface FixtureFolder {
  folder: string;
  cases: Case[];
  unmapped: string[];
}

/** Every fixture, grouped by folder, with the calls the mapping gives it. */
function collectFixtures(): Map<string, FixtureFolder> {
  const folders = new Map<string, FixtureFolder>();
  if (!existsSync(FIXTURES)) return folders;
  for (const path of filesUnder(FIXTURES)) {
    const file = relative(FIXTURES, path).split(sep).join('/');
    if (file.split('/').some((part) => part.startsWith('.'))) continue;
    const folder = file.includes('/') ? file.slice(0, file.indexOf('/')) : '(top level)';
    let entry = folders.get(folder);
    if (!entry) {
      entry = { folder, cases: [], unmapped: [] };
      folders.set(folder, entry);
    }
    const mapping = FOLDERS[folder]?.(file) ?? [];
    if (!Array.isArray(mapping)) continue; // mapped on purpose to nothing; the reason is in FOLDERS
    if (mapping.length === 0) {
      entry.unmapped.push(file);
      continue;
    }
    const bytes = new Uint8Array(readFileSync(path));
    const inputs = LINE_FOLDERS.has(folder)
      ? linesOf(bytes).map((line, i) => ({ label: `${file}:${i + 1}`, bytes: line }))
      : [{ label: file, bytes }];
    for (const input of inputs) {
      for (const call of mapping) {
        const options = call.options === undefined ? '' : ` ${JSON.stringify(call.options)}`;
        for (const as of ['bytes', 'string'] as const) {
          entry.cases.push({
            ...call,
            label: `${input.label} ${call.fn}${options} (${as})`,
            bytes: Array.from(input.bytes),
            as,
          });
        }
      }
    }
  }
  return folders;
}

const fixtures = collectFixtures();
describeInChromium('real browser (headless Chromium) runs dist/index.js like Node', () => {
  let browser: Browser | undefined;
  let page: Page;
  let nodeModule: Record<string, unknown>;
  const pageErrors: string[] = [];
  const offOrigin: string[] = [];

  beforeAll(async () => {
    const entry = join(DIST, 'index.js');
    if (!existsSync(entry)) {
      throw new Error(
        `${entry} is missing: build first (pnpm turbo run build --filter=@procmon/parse)`,
      );
    }
    nodeModule = await import(pathToFileURL(entry).href);
    browser = await launchChromium();
    page = await memoryPage(
      browser,
      ORIGIN,
      'procmon parse',
      (path) => {
        const file = path.startsWith('/dist/') ? join(DIST, path.slice(6)) : '';
        if (!file.startsWith(DIST) || !existsSync(file)) return undefined;
        const type = extname(file) === '.map' ? 'application/json' : 'text/javascript';
        return { contentType: `${type}; charset=utf-8`, body: readFileSync(file) };
      },
      { offOrigin, pageErrors },
    );
    // Page-side code goes in as source text: vitest transforms this file, and a transformed
    // function (its import() above all) would not run in a page.
    await page.evaluate(`(async () => {
        globalThis.__shared = new Function(${JSON.stringify(SHARED_SOURCE)})();
        globalThis.__parse = await import('/dist/index.js');
        globalThis.__runAll = (list) =>
          Object.fromEntries(list.map((c) => [c.label, globalThis.__shared.runCase(globalThis.__parse, c)]));
      })()`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('loads the bundle as a module, with no Node globals, errors or outside requests', async () => {
    const inPage = (await page.evaluate(`({
        exports: Object.keys(globalThis.__parse).sort(),
        nodeGlobals: ['Buffer', 'process', 'require', 'module', 'global', 'setImmediate'].filter(
          (name) => typeof globalThis[name] !== 'undefined',
        ),
        userAgent: navigator.userAgent,
      })`)) as { exports: string[]; nodeGlobals: string[]; userAgent: string };
    expect(inPage.userAgent).toContain('Chrome');
    expect(inPage.nodeGlobals).toEqual([]);
    expect(inPage.exports).toEqual(Object.keys(nodeModule).sort());
    expect(inPage.exports).toContain('ParseError');
    expect(pageErrors).toEqual([]);
    expect(offOrigin).toEqual([]);
  });

  it('has a parser mapping for every fixture folder and file', () => {
    const unmapped = [...fixtures.values()].flatMap((f) =>
      f.folder in FOLDERS ? f.unmapped : [`${f.folder}/ (no mapping for this folder)`],
    );
    expect(unmapped, 'add these to FOLDERS or netTable in test/browser.test.ts').toEqual([]);
    expect(fixtures.size).toBeGreaterThan(0);
  });

  it('reads the container of every cgroup fixture exactly as Node does', async () => {
    // containerOf takes paths, not a file: each cgroup fixture's paths, as Node parses them.
    const parseCgroup = nodeModule.parseCgroup as (input: Uint8Array) => { path: string }[];
    const containerOf = nodeModule.containerOf as (paths: string[]) => unknown;
    const pathLists = filesUnder(join(FIXTURES, 'cgroup')).map((file) =>
      parseCgroup(new Uint8Array(readFileSync(file))).map((entry) => entry.path),
    );
    expect(pathLists.length).toBeGreaterThan(0);
    const inNode = pathLists.map((paths) => shared.serialize(containerOf(paths)));
    const inPage = await page.evaluate(
      `(${JSON.stringify(pathLists)}).map((paths) => globalThis.__shared.serialize(globalThis.__parse.containerOf(paths)))`,
    );
    expect(inPage).toEqual(inNode);
    expect(inNode.filter((json) => json !== '{"$undefined":true}').length).toBeGreaterThan(0);
  });

  for (const { folder, cases } of fixtures.values()) {
    if (cases.length === 0) continue;
    it(`parses ${folder}/ fixtures (${cases.length} calls) exactly as Node does`, async () => {
      const missing = [...new Set(cases.map((c) => c.fn))].filter(
        (fn) => typeof nodeModule[fn] !== 'function',
      );
      expect(missing, 'not exported from dist/index.js (src/index.ts)').toEqual([]);

      const inNode = Object.fromEntries(cases.map((c) => [c.label, shared.runCase(nodeModule, c)]));
      const inPage = await page.evaluate(
        (list) =>
          (globalThis as unknown as { __runAll(l: Case[]): Record<string, string> }).__runAll(list),
        cases,
      );
      expect(inPage).toEqual(inNode);

      // A parser may only throw ParseError, whatever the input.
      const otherErrors = Object.entries(inNode)
        .filter(([, json]) => {
          const result = JSON.parse(json) as { threw?: { error?: string } };
          return result.threw !== undefined && result.threw.error !== 'ParseError';
        })
        .map(([label, json]) => `${label}: ${json}`);
      expect(otherErrors).toEqual([]);
      expect(pageErrors).toEqual([]);
    });
  }
});
