import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/procmon.ts'],
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  // The bundled CommonJS code calls require() for Node's own modules (events, child_process).
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __procmonRequire } from 'node:module';\nconst require = __procmonRequire(import.meta.url);",
  },
  // Bundled: loading commander's CommonJS files one by one took about 20 ms of every start
  // (THIRD-PARTY-NOTICES.md carries its license).
  noExternal: ['commander'],
});
