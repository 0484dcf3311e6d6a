// The `read` entry must stay browser-safe: no module it reaches imports node:* or loads procfs
// (whose ProcFS reads the disk) at run time. Checked on the sources' import graph.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** Every runtime import of a source file (`import type` and `export type` left out). */
function runtimeImports(file: string): string[] {
  const source = readFileSync(join(here, file), 'utf8');
  const found: string[] = [];
  for (const match of source.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?from\s+'([^']+)'/gms)) {
    found.push(match[1] as string);
  }
  return found;
}

/** The runtime module graph from `entry`: local files and the packages they load. */
function graph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of runtimeImports(file)) {
      if (spec.startsWith('./')) visit(spec.slice(2).replace(/\.js$/, '.ts'));
      else packages.add(spec);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('the read entry', () => {
  it('loads no node:* module and no procfs at run time', () => {
    const { files, packages } = graph('read.ts');
    expect(files).toContain('snapshot-backend.ts');
    expect(files).toContain('archive.ts');
    expect(files).toContain('diff.ts');
    // @procmon/parse is pure (no node:*, runs in browsers: its own suite checks it); the diff
    // parses the archive's bytes with it.
    expect([...packages]).toEqual(['@procmon/parse']);
  });

  it('the check sees what the full entry loads (so it can fail)', () => {
    const { packages } = graph('index.ts');
    expect(packages).toContain('node:os');
    expect(packages).toContain('@procmon/procfs');
  });
});
