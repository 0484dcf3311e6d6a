// Headless Chromium for the tests that run our code in a real browser (parse's parsers, the model
// over a snapshot, the viewer): Debian's /usr/bin/chromium driven by playwright-core. Where it is
// missing the suite is skipped with a warning, except in CI, where that is a failure.
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { describe, it } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const inCI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

/** A headless Chromium with nothing of the user's (no sync, no updates, no first-run page). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * `describe(title, body)` when Chromium is installed; else, outside CI, a skipped suite that says
 * why, and in CI a failing test (a missing browser must not pass as a green run).
 */
export function describeInChromium(title: string, body: () => void): void {
  if (existsSync(CHROMIUM)) {
    describe(title, body);
    return;
  }
  const install = 'apt-get install -y chromium';
  if (!inCI) {
    const reason = `${CHROMIUM} not found (${install}); with CI set this fails instead`;
    console.warn(`${title}: skipped, ${reason}`);
    describe.skip(`${title}: skipped, ${reason}`, () => {
      it('runs in Chromium', () => {});
    });
    return;
  }
  describe(title, () => {
    it('has Chromium to run in', () => {
      throw new Error(`${CHROMIUM} not found and CI is set: install it (${install})`);
    });
  });
}

/** What a page's request for one path gets: a file's bytes and type. */
export interface MemoryFile {
  contentType: string;
  body: Uint8Array | string;
}

/**
 * A new page at `origin`, every request answered from memory, nothing from the network: `/` is an
 * empty page titled `title`, any other path what `serve` gives, else a 404 recorded in
 * `record.offOrigin` (as is any request off the origin, aborted). Uncaught errors and
 * console.error of the page go to `record.pageErrors`.
 */
export async function memoryPage(
  browser: Browser,
  origin: string,
  title: string,
  serve: (path: string) => MemoryFile | undefined,
  record: { offOrigin: string[]; pageErrors: string[] },
): Promise<Page> {
  const context = await browser.newContext();
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== origin) {
      record.offOrigin.push(url.href);
      return route.abort();
    }
    const file =
      url.pathname === '/'
        ? {
            contentType: 'text/html; charset=utf-8',
            body: `<!doctype html><meta charset="utf-8"><title>${title}</title>`,
          }
        : serve(url.pathname);
    if (file !== undefined) {
      const body = typeof file.body === 'string' ? file.body : Buffer.from(file.body);
      return route.fulfill({ contentType: file.contentType, body });
    }
    record.offOrigin.push(`${url.href} (no such file)`);
    return route.fulfill({ status: 404, body: 'not found' });
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => record.pageErrors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') record.pageErrors.push(`console.error: ${message.text()}`);
  });
  await page.goto(`${origin}/`);
  return page;
}
