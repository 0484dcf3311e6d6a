// Test support for the browser builds: each module `x.ts` with a `x.browser.ts` twin (which the
// browser build puts in its place, tsup.shared.ts) must export the same names, of the same kinds,
// or the browser build would offer another API than the Node one.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/** One twin pair: the module's path under the source folder, and what each side exports. */
export interface TwinPair {
  module: string;
  node: Record<string, string>;
  browser: Record<string, string>;
}

/** Export names to their `typeof` (a type-only export is not there at run time, on either side). */
const shapeOf = (module: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    Object.keys(module)
      .sort()
      .map((name) => [name, typeof module[name]]),
  );

/** Every `*.browser.ts` under `sourceFolder` with its Node original, both imported. */
export async function browserTwins(sourceFolder: string): Promise<TwinPair[]> {
  const pairs: TwinPair[] = [];
  const files = readdirSync(sourceFolder, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.browser.ts'))
    .sort();
  for (const file of files) {
    const twin = join(sourceFolder, file);
    const original = twin.replace(/\.browser\.ts$/, '.ts');
    pairs.push({
      module: relative(sourceFolder, original),
      node: shapeOf(await import(pathToFileURL(original).href)),
      browser: shapeOf(await import(pathToFileURL(twin).href)),
    });
  }
  return pairs;
}
