import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import type { Options } from 'tsup';

/** How every library package builds: ESM + CJS + .d.ts from src/index.ts. */
export const libraryBuild = (platform: 'node' | 'neutral'): Options => ({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  // The browser build (browserBuild) writes dist/browser.js at the same time: not ours to remove.
  clean: ['!browser.js', '!browser.js.map'],
  target: 'es2022',
  platform,
});

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

const BUILTIN = new RegExp(
  `^(${builtinModules.map((name) => name.replace(/\//g, '\\/')).join('|')})$`,
);

/**
 * The browser build's one rule: a module `x.ts` with a sibling `x.browser.ts` is replaced by it
 * (the Node-only part of a package sits in such modules, the rest is shared), and any import of
 * a Node built-in left over fails the build, naming the file that made it.
 */
const browserTwins: EsbuildPlugin = {
  name: 'procmon-browser-twins',
  setup(build) {
    const refuse = (args: { path: string; importer: string }) => ({
      errors: [
        {
          text: `${args.importer} imports ${args.path}: the browser build takes no Node built-in (give that module a .browser.ts twin)`,
        },
      ],
    });
    build.onResolve({ filter: /^node:/ }, refuse);
    build.onResolve({ filter: BUILTIN }, refuse);
    build.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      const twin = resolve(args.resolveDir, args.path.replace(/\.js$/, '.browser.ts'));
      return existsSync(twin) ? { path: twin } : undefined;
    });
  },
};

/**
 * The browser build of a package: `dist/browser.js` (ESM) from the same entry as the Node build,
 * with each module's `.browser.ts` twin in its place. package.json's `browser` export condition
 * points at it; its types are the Node build's (the same API: what needs Node throws there).
 */
export const browserBuild = (entry = 'src/index.ts'): Options => ({
  entry: { browser: entry },
  format: ['esm'],
  dts: false,
  sourcemap: true,
  clean: false,
  target: 'es2022',
  platform: 'browser',
  esbuildPlugins: [browserTwins],
});
