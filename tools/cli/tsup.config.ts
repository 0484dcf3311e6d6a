import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/procmon.ts'],
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  banner: { js: '#!/usr/bin/env node' },
});
