import { defineConfig } from 'vite';
import { nodeStubs } from './bundler/node-stubs.js';

// A static page: relative asset paths (`base: './'`) so dist/ works from any folder or URL path,
// no inline script (the Content-Security-Policy in index.html forbids it), no source fetched from
// anywhere at run time.
export default defineConfig({
  base: './',
  plugins: [nodeStubs()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Inlined assets would be data: URLs, which the policy does not allow for scripts.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
