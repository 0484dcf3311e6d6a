import type { Options } from 'tsup';

/** How every library package builds: ESM + CJS + .d.ts from src/index.ts. */
export const libraryBuild = (platform: 'node' | 'neutral'): Options => ({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform,
});
