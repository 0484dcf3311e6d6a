// Stand-ins for the node:* modules that procfs, netsock and hash import, for as long as those
// packages have no browser build of their own (issue #16's browser builds replace this). The page
// never calls them: the model reads through the snapshot's backend, sockets through netsock's
// /proc/net reader over that backend. Each stand-in throws if it is called, naming what was
// called, so a code path that does reach one fails loudly instead of lying. The few values read
// when a module loads (`constants`, `arch()`, `endianness()`,
// `availableParallelism()`, `fileURLToPath()`) are inert.
import type { Plugin } from 'vite';

const PREFIX = '\0procmon-node-stub:';

/** Named exports each stubbed module must offer (what the bundled packages import). */
const EXPORTS: Record<string, readonly string[]> = {
  fs: [
    'close',
    'closeSync',
    'open',
    'openSync',
    'read',
    'readSync',
    'readdir',
    'readdirSync',
    'readlink',
    'readlinkSync',
    'statSync',
    'fstatSync',
    'fstat',
  ],
  'fs/promises': ['stat'],
  os: ['hostname', 'release'],
  path: ['relative'],
  util: ['getSystemErrorMap', 'inspect'],
  module: ['createRequire'],
  url: [],
  crypto: ['createHash', 'getHashes', 'randomInt'],
  net: ['isIPv4', 'isIPv6'],
};

/** Values some modules read as they load: they must not throw. */
const INERT: Record<string, string> = {
  fs: 'export const constants = { O_RDONLY: 0, O_NONBLOCK: 0, O_NOCTTY: 0 };',
  os: "export const constants = { errno: {} };\nexport const arch = () => 'browser';\nexport const endianness = () => 'LE';\nexport const availableParallelism = () => 1;",
  // The addon loaders compute their package's folder as they load; nothing is ever loaded from it.
  url: 'export const fileURLToPath = (url) => String(url);',
};

// ProcFS's constructor checks that its root is a folder: in the page there is no file system,
// and the root only appears in error messages, so the check is answered yes.
const STAT_SYNC_OVERRIDE = 'statSync';
const STAT_SYNC = 'export const statSync = () => ({ isDirectory: () => true });';

const ADDON_URL = /new URL\(\s*["'][^"']*["']\s*,\s*import\.meta\.url\s*\)/g;

function moduleSource(name: string): string {
  const lines = [INERT[name] ?? ''];
  for (const exported of EXPORTS[name] ?? []) {
    if (name === 'fs' && exported === STAT_SYNC_OVERRIDE) {
      lines.push(STAT_SYNC);
      continue;
    }
    lines.push(
      `export const ${exported} = () => { throw new Error('node:${name} ${exported}() is not available in the browser'); };`,
    );
  }
  lines.push('export default {};');
  return lines.join('\n');
}

/** Resolves `node:*` (and the addon loader) to the stand-ins above. */
export function nodeStubs(): Plugin {
  return {
    name: 'procmon-node-stubs',
    enforce: 'pre',
    resolveId(source) {
      if (source === 'node-gyp-build') return `${PREFIX}module`;
      // The packages' dist files import Node's modules by their bare names (tsup drops `node:`).
      const bare = source.startsWith('node:') ? source.slice('node:'.length) : source;
      if (!(bare in EXPORTS)) {
        if (source.startsWith('node:')) throw new Error(`${source} is imported by the page's bundle and has no stand-in`);
        return null;
      }
      return `${PREFIX}${bare}`;
    },
    // The addon's path and its package's folder, `new URL('../build/Release/x.node',
    // import.meta.url)`, would make the bundler copy files into dist/: point them nowhere.
    transform(code, id) {
      if (!/[\\/](?:procfs|netsock|hash|process)[\\/]dist[\\/]/.test(id)) return null;
      const rewritten = code.replace(ADDON_URL, 'new URL("about:blank")');
      return rewritten === code ? null : { code: rewritten, map: null };
    },
    load(id) {
      if (!id.startsWith(PREFIX)) return null;
      return moduleSource(id.slice(PREFIX.length));
    },
  };
}
