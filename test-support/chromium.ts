// Headless Chromium for the tests that run our code in a real browser (parse's parsers, the model
// over a snapshot, the viewer): Debian's /usr/bin/chromium driven by playwright-core. Where it is
// missing the suite is skipped with a warning, except in CI, where that is a failure.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
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
