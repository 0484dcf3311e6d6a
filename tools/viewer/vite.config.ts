import { defineConfig } from 'vite';
import { noNodeBuiltins } from './bundler/no-node-builtins.js';

// A static page: relative asset paths (`base: './'`) so dist/ works from any folder or URL path,
// no inline script (the Content-Security-Policy in index.html forbids it), nothing fetched from
// anywhere at run time. The packages come in through their `browser` export condition (vite's
// default for a browser build).
export default defineConfig({
  base: './',
  plugins: [noNodeBuiltins()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Inlined assets would be data: URLs, which the policy does not allow.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
