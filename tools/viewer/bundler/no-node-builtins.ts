// The page is built from the packages' browser builds (their `browser` export condition), which
// import nothing of Node. This makes the build fail, naming the importer, if one ever does:
// bundlers otherwise swap a Node built-in for an empty module with a warning, and the page would
// break only when that code runs.
import { builtinModules } from 'node:module';
import type { Plugin } from 'vite';

const BUILTINS = new Set(builtinModules);

export function noNodeBuiltins(): Plugin {
  return {
    name: 'procmon-no-node-builtins',
    enforce: 'pre',
    resolveId(source, importer) {
      const bare = source.startsWith('node:') ? source.slice('node:'.length) : source;
      if (source.startsWith('node:') || BUILTINS.has(bare)) {
        throw new Error(
          `${importer ?? 'the page'} imports ${source}: the viewer runs in a browser, where Node's modules do not exist`,
        );
      }
      return null;
    },
  };
}
