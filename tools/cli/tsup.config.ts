import { defineConfig } from 'tsup';

export default defineConfig({
  // ps-command and ps-format are entries too, so the bench (tools/bench/src/ps.bench.mjs) can
  // import dist/ps-command.js and dist/ps-format.js by stable names.
  entry: ['src/procmon.ts', 'src/ps-command.ts', 'src/ps-format.ts'],
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
