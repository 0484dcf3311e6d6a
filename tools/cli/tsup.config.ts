import { cpSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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
  // `procmon view` serves the viewer's built page: copied into dist/viewer/, so the published
  // package carries it (@procmon/viewer itself is private, a build-time dependency only).
  onSuccess: async () => {
    const viewer = dirname(createRequire(import.meta.url).resolve('@procmon/viewer/package.json'));
    cpSync(join(viewer, 'dist'), 'dist/viewer', { recursive: true });
  },
});
