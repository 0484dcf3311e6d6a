// The viewer in a real headless Chromium: a snapshot of a child this test starts (known args,
// one of them HTML and one not UTF-8, a known cwd and environment, a TCP listener on a port it
// reports) is opened through the file input, and the page must show that child under its parent,
// find it by pid, show its args as text (no element made of them, no dialog), its cwd, its
// environment with the secret redacted, its listener with its pid; a truncated snapshot shows
// readSnapshot's own error; two snapshots show the child as started and its listener as new.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { escapeText } from '@procmon/parse';
import { captureSnapshot, readSnapshot } from '@procmon/snapshot';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  exited,
  firstLine,
  tempFolder,
  trackChild,
} from '../../../test-support/processes.js';
import { CHROMIUM, inCI, launchViewer, ORIGIN, type ServedViewer } from './chromium.js';

const HOSTILE = '<img src=x onerror=alert(1)>';
// Binds 127.0.0.1 on a port the kernel picks, says which, and waits.
const LISTENER = [
  'import socket, time',
  's = socket.socket()',
  "s.bind(('127.0.0.1', 0))",
  's.listen()',
  'print(s.getsockname()[1], flush=True)',
  'time.sleep(600)',
].join('\n');

interface Started {
  child: ChildProcess;
  pid: number;
  port: number;
  cwd: string;
}

/**
 * /usr/bin/python3 -c LISTENER HOSTILE 'raw\xffbyte', in a fresh folder, with a known
 * environment. (A python3 found on PATH may be a shim that execs another path.)
 */
async function startListener(): Promise<Started> {
  const cwd = tempFolder('procmon-viewer-');
  // sh makes the byte that is not UTF-8 (node's spawn takes arguments as strings), then becomes
  // python3: the listener is the test's own child.
  const child = trackChild(
    spawn(
      'sh',
      ['-c', `exec /usr/bin/python3 -c "$0" "$1" "$(printf 'raw\\377byte')"`, LISTENER, HOSTILE],
      {
        cwd,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          VIEWER_PLAIN: 'plain value',
          VIEWER_API_TOKEN: 'hunter2',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    ),
  );
  const port = Number(await firstLine(child));
  return { child, pid: child.pid as number, port, cwd };
}

const haveChromium = existsSync(CHROMIUM);

if (!haveChromium && !inCI) {
  const reason = `${CHROMIUM} not found (apt-get install -y chromium); with CI set this fails instead`;
  console.warn(`viewer.test.ts skipped: ${reason}`);
  describe.skip(`viewer in a real browser: skipped, ${reason}`, () => {
    it('opens a snapshot', () => {});
  });
} else {
  describe('the viewer in headless Chromium', () => {
    let served: ServedViewer;
    let started: Started;
    let snapshot: Uint8Array;
    // Taken before the child starts: the socket tables are the machine's, whoever is captured.
    let before: Uint8Array;
    let page: Page;
    const dialogs: string[] = [];
    const pageErrors: string[] = [];

    beforeAll(async () => {
      if (!haveChromium)
        throw new Error(`${CHROMIUM} not found and CI is set: apt-get install -y chromium`);
      before = await captureSnapshot({ pids: [process.pid] });
      started = await startListener();
      snapshot = await captureSnapshot({ pids: [process.pid, started.pid], env: true });
      served = await launchViewer(new Map([['/snapshot/0', snapshot]]));
      page = await served.context.newPage();
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await openFiles(page, [{ name: 'machine.tar.gz', bytes: snapshot }]);
    }, 60_000);

    afterAll(async () => {
      await served?.browser.close();
      await cleanup();
    });

    it('shows the manifest and the child in the tree, under its parent', async () => {
      expect(await page.locator('[data-fact="processes"]').textContent()).toBe('2');
      const row = page.locator(`li[data-pid="${started.pid}"]`);
      expect(await row.count()).toBe(1);
      const parent = await row.evaluate(
        (item) => (item.parentElement?.closest('li') as HTMLElement | null)?.dataset.pid,
      );
      expect(parent).toBe(String(process.pid));
      expect(await row.locator(':scope > .row .comm').textContent()).toBe('python3');
    });

    it('finds the child by its pid, keeping its ancestors', async () => {
      await page.fill('#tree-search', String(started.pid));
      const shown = await page
        .locator('li[data-pid]')
        .evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.pid));
      expect(shown).toEqual([String(process.pid), String(started.pid)]);
      await page.fill('#tree-search', 'no process is called this');
      expect(await page.locator('li[data-pid]').count()).toBe(0);
      await page.fill('#tree-search', '');
      expect(await page.locator('li[data-pid]').count()).toBe(2);
    });

    it("shows the child's args as text, escaped, its cwd and its redacted environment", async () => {
      await page.click(`li[data-pid="${started.pid}"] > .row`);
      await page.waitForSelector(`#details[data-pid="${started.pid}"]`);
      const args = await page.locator('#details .args li').allTextContents();
      expect(args).toEqual([
        '/usr/bin/python3',
        '-c',
        escapeText(LISTENER),
        HOSTILE,
        'raw\\xffbyte',
      ]);
      // The HTML argument stayed text: no image was made of it and no dialog opened.
      expect(await page.locator('img').count()).toBe(0);
      expect(dialogs).toEqual([]);
      expect(await page.locator('#details dd.cwd').textContent()).toBe(started.cwd);
      const environ = await page
        .locator('#details table.environ tr')
        .evaluateAll((rows) =>
          rows.map((row) => [
            row.querySelector('th')?.textContent,
            row.querySelector('td')?.textContent,
            row.className,
          ]),
        );
      expect(environ).toContainEqual(['VIEWER_PLAIN', 'plain value', '']);
      expect(environ).toContainEqual(['VIEWER_API_TOKEN', 'redacted', 'redacted']);
      expect(await page.locator('#details').textContent()).not.toContain('hunter2');
      // The listening socket among its descriptors.
      expect(await page.locator('#details .descriptors .socket').allTextContents()).toContain(
        `tcp 127.0.0.1:${started.port} -> 0.0.0.0:* LISTEN`,
      );
    });

    it('shows the listener in the connection table with its pid', async () => {
      await page.click('#tabs button[data-tab="connections"]');
      const rows = await page
        .locator('#connections tr')
        .evaluateAll((items) =>
          items.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)),
        );
      expect(rows).toContainEqual([
        'tcp',
        'LISTEN',
        `127.0.0.1:${started.port}`,
        '0.0.0.0:*',
        expect.stringContaining(`${started.pid} python3 (fd `),
      ]);
      await page.click('#tabs button[data-tab="processes"]');
    });

    it('shows the SnapshotError of a truncated snapshot, not a blank page', async () => {
      const truncated = snapshot.subarray(0, Math.floor(snapshot.length / 2));
      const expected = await readSnapshot(truncated).then(
        () => undefined,
        (error: Error) => error.message,
      );
      expect(expected).toBeDefined();
      await openFiles(page, [{ name: 'cut.tar.gz', bytes: truncated }], 'error');
      expect(await page.locator('#error').isVisible()).toBe(true);
      // The reason in parentheses is the gzip decoder's own words, which differ between Node and
      // Chromium: the message up to it is readSnapshot's.
      const ours = (expected as string).slice(0, (expected as string).indexOf('('));
      expect(ours).toBe('the snapshot is truncated: its gzip data ends early ');
      expect(await page.locator('#error .message').textContent()).toMatch(
        new RegExp(`^${escapeRegExp(ours)}\\(`),
      );
      expect(await page.locator('#error strong').textContent()).toBe(
        'cut.tar.gz not a snapshot this page can open (truncated)',
      );
      expect(await page.locator('li[data-pid]').count()).toBe(0);
    });

    it('shows the diff of two snapshots: the child started, its listener new', async () => {
      await openFiles(page, [
        { name: 'before.tar.gz', bytes: before },
        { name: 'after.tar.gz', bytes: snapshot },
      ]);
      const startedPids = await page
        .locator('#diff-started li')
        .evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.pid));
      expect(startedPids).toEqual([String(started.pid)]);
      expect(await page.locator('#diff-gone li').count()).toBe(0);
      expect(await page.locator('#diff-new-listeners li').allTextContents()).toContain(
        `tcp 127.0.0.1:${started.port} held by ${started.pid}`,
      );
    });

    it('opens the snapshot named in its URL, as procmon view passes it, and no other', async () => {
      await page.goto(`${ORIGIN}/?snapshot=/snapshot/0`);
      await page.waitForSelector('body[data-state="shown"]');
      expect(await page.locator(`li[data-pid="${started.pid}"]`).count()).toBe(1);
      // A URL that is not one of the server's snapshot routes is never fetched.
      await page.goto(
        `${ORIGIN}/?snapshot=${encodeURIComponent('https://elsewhere.example/x.tar.gz')}&snapshot=/x`,
      );
      await page.waitForLoadState('load');
      expect(await page.evaluate(() => document.body.dataset.state)).toBeUndefined();
    });

    it('folds a process with many children, builds their rows when unfolded, and finds them', async () => {
      // A shell with 40 sleeping children (past the 32 that start unfolded), then waits on stdin.
      const family = trackChild(
        spawn('sh', ['-c', 'for i in $(seq 40); do sleep 600 & done; echo ready; read _'], {
          stdio: ['pipe', 'pipe', 'inherit'],
        }),
      );
      await firstLine(family);
      const shell = family.pid as number;
      let kids: number[] = [];
      try {
        // Each child is forked before `ready`; wait until each has exec'd sleep.
        for (let tries = 0; tries < 1000; tries++) {
          kids = childPids(shell);
          if (kids.length === 40 && kids.every((kid) => commOf(kid) === 'sleep')) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(kids).toHaveLength(40);
        const bytes = await captureSnapshot({ pids: [process.pid, shell, ...kids] });
        await openFiles(page, [{ name: 'family.tar.gz', bytes }]);
        const item = page.locator(`li[data-pid="${shell}"]`);
        expect(await item.evaluate((node) => node.classList.contains('folded'))).toBe(true);
        expect(await item.locator(':scope > .row .folded-count').textContent()).toBe('40 children');
        expect(await page.locator('#tree li[data-pid]').count()).toBe(2);
        await item.locator(':scope > .row button.fold').click();
        const shown = await item
          .locator(':scope > ul > li')
          .evaluateAll((nodes) => nodes.map((node) => Number((node as HTMLElement).dataset.pid)));
        expect(shown).toEqual([...kids].sort((x, y) => x - y));
        expect(await item.evaluate((node) => node.classList.contains('folded'))).toBe(false);
        // A search shows its matches unfolded, however many, with their ancestors.
        await page.fill('#tree-search', 'sleep');
        expect(await page.locator('#tree li[data-pid]').count()).toBe(42);
      } finally {
        // Our own sleeps, by pid: none is left behind whatever happened above.
        for (const kid of kids) process.kill(kid, 'SIGKILL');
        family.stdin?.end();
        await exited(family);
      }
    });

    it('made no request off its own files and threw nothing', () => {
      expect(served.stray).toEqual([]);
      expect(pageErrors).toEqual([]);
    });
  });
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The pids whose stat names `parent` as their parent (read from /proc, the test's known truth). */
function childPids(parent: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function commOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'latin1').trimEnd();
  } catch {
    return undefined;
  }
}

/** Loads the page afresh and gives it files through the input; waits until shown (or failed). */
async function openFiles(
  page: Page,
  files: Array<{ name: string; bytes: Uint8Array }>,
  expect: 'shown' | 'error' = 'shown',
): Promise<void> {
  await page.goto(`${ORIGIN}/`);
  await page.setInputFiles(
    '#file-input',
    files.map((file) => ({
      name: file.name,
      mimeType: 'application/gzip',
      buffer: Buffer.from(file.bytes),
    })),
  );
  await page.waitForSelector(`body[data-state="${expect}"]`);
}
