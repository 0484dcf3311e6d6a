// Headless Chromium (Debian's, driven by playwright-core) with the built viewer served from memory
// at a made-up origin: every request is answered from dist/ or refused, and each one that leaves
// the origin is recorded (the page must never make one).
import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const ORIGIN = 'http://viewer.procmon.test';
export const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
export const inCI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.map': 'application/json',
};

export interface ServedViewer {
  browser: Browser;
  context: BrowserContext;
  /** Requests that went anywhere but the viewer's own files. */
  stray: string[];
}

/**
 * Launches Chromium with dist/ served at ORIGIN (and `extra` paths with their bytes, as
 * `procmon view` serves /snapshot/0); throws when the viewer is not built.
 */
export async function launchViewer(
  extra: ReadonlyMap<string, Uint8Array> = new Map(),
): Promise<ServedViewer> {
  if (!existsSync(join(DIST, 'index.html'))) {
    throw new Error(
      `${DIST}index.html is missing: build first (pnpm turbo run build --filter=@procmon/viewer)`,
    );
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext();
  const stray: string[] = [];
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== ORIGIN) {
      stray.push(url.href);
      return route.abort();
    }
    const served = extra.get(url.pathname);
    if (served)
      return route.fulfill({ contentType: 'application/gzip', body: Buffer.from(served) });
    const name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    const file = join(DIST, name);
    if (!name.includes('..') && file.startsWith(DIST) && existsSync(file)) {
      const type = TYPES[extname(file)] ?? 'application/octet-stream';
      return route.fulfill({ contentType: `${type}; charset=utf-8`, body: readFileSync(file) });
    }
    stray.push(`${url.href} (no such file)`);
    return route.fulfill({ status: 404, body: 'not found' });
  });
  return { browser, context, stray };
}
