// The viewer in a real headless Chromium: a snapshot of a child this test starts (known args,
// one of them HTML and one not UTF-8, a known cwd and environment, a TCP listener on a port it
// reports and a connection of its own to it) is opened through the file input, and the page must
// show that child under its parent, find it by pid, show its args as text (no element made of
// them, no dialog), its cwd, its environment with the secret redacted, its listener with its pid;
// a truncated snapshot shows readSnapshot's own error; two snapshots (with checksums, around the
// child's start and a copy of sleep rewritten between them) show diffSnapshots' answer: the child
// and the new copy started, the old copy gone, the copy's sha256 as sha256sum gave it before and
// after, the child's listener and both ends of its connection held by it.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { escapeText } from '@procmon/parse';
import { captureSnapshot, diffSnapshots, readSnapshot } from '@procmon/snapshot';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInChromium } from '../../../test-support/chromium.js';
import {
  cleanup,
  exited,
  firstLine,
  tempFolder,
  trackChild,
} from '../../../test-support/processes.js';
import { CHECKSUMS_NOT_COMPARED } from '../src/diff-model.js';
import { launchViewer, ORIGIN, type ServedViewer } from './chromium.js';

const HOSTILE = '<img src=x onerror=alert(1)>';
// Binds 127.0.0.1 on a port the kernel picks, connects to it and accepts, says both ports
// (listener, client), and waits.
const LISTENER = [
  'import socket, time',
  's = socket.socket()',
  "s.bind(('127.0.0.1', 0))",
  's.listen()',
  'c = socket.create_connection(s.getsockname())',
  'a, _ = s.accept()',
  'print(s.getsockname()[1], c.getsockname()[1], flush=True)',
  'time.sleep(600)',
].join('\n');

interface Started {
  child: ChildProcess;
  pid: number;
  port: number;
  /** The local port of its connection to its own listener. */
  clientPort: number;
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
  const [port, clientPort] = (await firstLine(child)).split(' ').map(Number) as [number, number];
  return { child, pid: child.pid as number, port, clientPort, cwd };
}

describeInChromium('the viewer in headless Chromium', () => {
  let served: ServedViewer;
  let started: Started;
  let snapshot: Uint8Array;
  // Taken before the child starts (the socket tables are the machine's, whoever is captured),
  // with the copy of sleep running, and checksums.
  let before: Uint8Array;
  // The child, the rewritten copy running, and checksums.
  let after: Uint8Array;
  let copy: SleepCopy;
  let page: Page;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const program = join(tempFolder('procmon-viewer-copy-'), 'my-sleep');
    copyFileSync('/bin/sleep', program);
    const digestBefore = sha256sum(program);
    const oldCopy = trackChild(spawn(program, ['600'], { stdio: 'ignore' }));
    before = await captureSnapshot({
      pids: [process.pid, oldCopy.pid as number],
      checksums: ['sha256'],
    });
    oldCopy.kill('SIGKILL');
    await exited(oldCopy);
    // Rewritten once nothing runs it (a running binary cannot be written: ETXTBSY).
    appendFileSync(program, 'rewritten');
    const newCopy = trackChild(spawn(program, ['600'], { stdio: 'ignore' }));
    copy = {
      program,
      oldPid: oldCopy.pid as number,
      newPid: newCopy.pid as number,
      digestBefore,
      digestAfter: sha256sum(program),
    };
    started = await startListener();
    snapshot = await captureSnapshot({ pids: [process.pid, started.pid], env: true });
    after = await captureSnapshot({
      pids: [process.pid, started.pid, copy.newPid],
      checksums: ['sha256'],
    });
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
    expect(args).toEqual(['/usr/bin/python3', '-c', escapeText(LISTENER), HOSTILE, 'raw\\xffbyte']);
    // The HTML argument stayed text: no image was made of it and no dialog opened.
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(await page.locator('#details dd.cwd').textContent()).toBe(started.cwd);
    expect(await page.locator('#details dd.path').textContent()).toBe(
      readlinkSync(`/proc/${started.pid}/exe`),
    );
    // Its cgroup lines as the kernel wrote them (a cgroup path is not chosen by the process).
    const cgroups = readFileSync(`/proc/${started.pid}/cgroup`, 'utf8').trimEnd().split('\n');
    expect(await page.locator('#details .cgroups li').allTextContents()).toEqual(cgroups);
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

  it("shows diffSnapshots' groups: the processes, the rewritten copy, the listener and connection", async () => {
    await openFiles(page, [
      { name: 'before.tar.gz', bytes: before },
      { name: 'after.tar.gz', bytes: after },
    ]);
    expect(await page.locator('#diff h2').textContent()).toBe('From before.tar.gz to after.tar.gz');
    expect(await page.locator('#diff .sides').textContent()).toMatch(
      new RegExp(`^${escapeRegExp(hostname())} at .+ to ${escapeRegExp(hostname())} at `),
    );
    const pidsOf = (id: string) =>
      page
        .locator(`#diff-${id} li`)
        .evaluateAll((items) => items.map((item) => Number((item as HTMLElement).dataset.pid)));
    expect(await pidsOf('started')).toEqual([started.pid, copy.newPid].sort((x, y) => x - y));
    expect(await pidsOf('gone')).toEqual([copy.oldPid]);
    // The child's command as text, escaped: no element made of its HTML argument, no dialog.
    expect(
      await page.locator(`#diff-started li[data-pid="${started.pid}"] code`).textContent(),
    ).toBe(['/usr/bin/python3', '-c', escapeText(LISTENER), HOSTILE, 'raw\\xffbyte'].join(' '));
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    // A process gone has no details to open.
    expect(await page.locator('#diff-gone [data-holder]').count()).toBe(0);

    expect(await page.locator('#diff-checksum-changed h3').textContent()).toBe(
      'Checksums changed (1)',
    );
    expect(await page.locator('#diff-checksum-changed li').allTextContents()).toEqual([
      `${copy.program} rewritten: sha256 ${copy.digestBefore} -> ${copy.digestAfter}; ` +
        `run before by ${copy.oldPid} my-sleep; run now by ${copy.newPid} my-sleep`,
    ]);
    expect(await holdersIn(page, '#diff-checksum-changed')).toEqual([copy.newPid]);

    // The socket tables are the machine's: ours are those on the child's ports.
    const ours = async (id: string) =>
      (await page.locator(`#diff-${id} li`).allTextContents())
        .filter((line) => new RegExp(`:(${started.port}|${started.clientPort})\\b`).test(line))
        .sort();
    const child = `${started.pid} python3`;
    expect(await ours('new-listeners')).toEqual([
      `tcp 127.0.0.1:${started.port} LISTEN held by ${child}`,
    ]);
    expect(await ours('new-connections')).toEqual(
      [
        `tcp 127.0.0.1:${started.clientPort} -> 127.0.0.1:${started.port} ESTABLISHED held by ${child}`,
        `tcp 127.0.0.1:${started.port} -> 127.0.0.1:${started.clientPort} ESTABLISHED held by ${child}`,
      ].sort(),
    );
    expect(await ours('gone-listeners')).toEqual([]);
    expect(await ours('gone-connections')).toEqual([]);

    // A holder of the after-snapshot opens its details, in the processes tab.
    await page.click(`#diff-new-listeners a[data-holder="${started.pid}"]`);
    await page.waitForSelector(`#details[data-pid="${started.pid}"]`);
    expect(await page.locator('#tabs button.active').textContent()).toBe('processes');
    expect(await page.locator('#details dd.path').textContent()).toBe(
      readlinkSync(`/proc/${started.pid}/exe`),
    );
  });

  it('says checksums were not compared when a snapshot has none', async () => {
    // `snapshot` was captured without checksums.
    await openFiles(page, [
      { name: 'before.tar.gz', bytes: before },
      { name: 'after.tar.gz', bytes: snapshot },
    ]);
    expect(await page.locator('#diff-checksum-changed h3').textContent()).toBe(
      'Checksums changed (not compared)',
    );
    expect(await page.locator('#diff-checksum-changed p').textContent()).toBe(
      CHECKSUMS_NOT_COMPARED,
    );
    expect(await page.locator('#diff-checksum-changed li').count()).toBe(0);
    expect(await page.locator('#diff-started li').count()).toBe(1);
  });

  it("shows the diff's SnapshotError in its panel for a socket table that does not parse; the tree opens", async () => {
    // (A stat that does not parse stops the tree's scan first: the file is not opened at all.)
    const damaged = withGarbage(snapshot, 'proc/net/tcp');
    const expected = await Promise.all([readSnapshot(before), readSnapshot(damaged)]).then(
      ([a, b]) => {
        try {
          diffSnapshots(a, b);
          return undefined;
        } catch (error) {
          return (error as Error).message;
        }
      },
    );
    expect(expected).toMatch(/^member proc\/net\/tcp cannot be read: /);
    await openFiles(page, [
      { name: 'before.tar.gz', bytes: before },
      { name: 'damaged.tar.gz', bytes: damaged },
    ]);
    expect(await page.locator('#diff .problem').textContent()).toBe(escapeText(expected as string));
    expect(await page.locator('#diff-started').count()).toBe(0);
    await page.click('#tabs button[data-tab="processes"]');
    expect(await page.locator(`li[data-pid="${started.pid}"]`).count()).toBe(1);
  });

  it('opens a dropped file', async () => {
    await page.goto(`${ORIGIN}/`);
    const transfer = await page.evaluateHandle(
      (bytes) => {
        const data = new DataTransfer();
        data.items.add(
          new File([new Uint8Array(bytes)], 'dropped.tar.gz', { type: 'application/gzip' }),
        );
        return data;
      },
      [...snapshot],
    );
    await page.dispatchEvent('body', 'drop', { dataTransfer: transfer });
    await page.waitForSelector('body[data-state="shown"]');
    expect(await page.locator('[data-fact="file"]').textContent()).toBe('dropped.tar.gz');
    expect(await page.locator(`li[data-pid="${started.pid}"]`).count()).toBe(1);
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

/** The copy of /bin/sleep run before the first capture, then rewritten and run again. */
interface SleepCopy {
  program: string;
  oldPid: number;
  newPid: number;
  /** sha256sum's answer before and after the rewrite. */
  digestBefore: string;
  digestAfter: string;
}

const sha256sum = (file: string) =>
  execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0] as string;

/** The pids of the links that open a process's details, under `selector`. */
const holdersIn = (page: Page, selector: string) =>
  page
    .locator(`${selector} [data-holder]`)
    .evaluateAll((items) => items.map((item) => Number((item as HTMLElement).dataset.holder)));

/**
 * The snapshot with `member` replaced by a line the kernel never writes, repacked by GNU tar
 * (ustar, members in their order, manifest first) as a damaged or hostile file could be.
 */
function withGarbage(bytes: Uint8Array, member: string): Uint8Array {
  const folder = tempFolder('procmon-viewer-damaged-');
  const tree = join(folder, 'tree');
  mkdirSync(tree);
  writeFileSync(join(folder, 'in.tar.gz'), bytes);
  execFileSync('tar', ['xzf', join(folder, 'in.tar.gz'), '-C', tree]);
  const members = execFileSync('tar', ['tzf', join(folder, 'in.tar.gz')], { encoding: 'utf8' })
    .trimEnd()
    .split('\n');
  writeFileSync(join(tree, member), 'garbage\n');
  const out = join(folder, 'out.tar.gz');
  execFileSync('tar', ['czf', out, '--format=ustar', '--no-recursion', '-C', tree, ...members]);
  return new Uint8Array(readFileSync(out));
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
