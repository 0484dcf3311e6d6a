// The viewer in headless Chromium against snapshots written by an attacker (DESIGN.md principle
// 9): every name a process chose, and the manifest's hostname, kernel, user names and redaction
// patterns, holds HTML, terminal escapes and a bidi override; and an archive is refused over a
// member whose name is HTML. The page must show each as escaped text: no element made of it, no
// script run, no dialog, no request.
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeText } from '@procmon/parse';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInChromium } from '../../../test-support/chromium.js';
import { cleanup, tempFolder } from '../../../test-support/processes.js';
import { launchViewer, ORIGIN, type ServedViewer } from './chromium.js';

const PID = 7;
const HOST = '<img src=x onerror=alert("host")>\u001b[31m\u202e';
const KERNEL = '<script>alert("kernel")</script>';
const USER = '<img src=x onerror=alert("user")>';
const PATTERN = '<b onmouseover=alert("pattern")>';
// 15 bytes at most, as the kernel's comm: a longer one reads as a process that exec'd.
const COMM = '<svg onload=f>';
const ARG = '<img src=x onerror=alert("arg")>\u001b]0;title\u0007';
const CWD = '/<iframe src=javascript:alert("cwd")>';
const FD = '/<a href=javascript:alert("fd")>x</a>';
const ENV = ['<script>alert("name")</script>', '<img src=x onerror=alert("value")>'];

/** The stat of pid 7, its comm HTML, started 100 ticks after boot. */
function stat(): string {
  const fields = Array.from({ length: 50 }, () => '0');
  fields[0] = 'S';
  fields[1] = '1';
  fields[19] = '100';
  // Code and argument addresses (fields 26, 27, 48): zero would read as a program being loaded.
  fields[23] = '4096';
  fields[24] = '8192';
  fields[45] = '12288';
  return `${PID} (${COMM}) ${fields.join(' ')}\n`;
}

const STATUS = [
  `Name:\t${COMM}`,
  'State:\tS (sleeping)',
  `Tgid:\t${PID}`,
  `Pid:\t${PID}`,
  'PPid:\t1',
  'Uid:\t0\t0\t0\t0',
  'Gid:\t0\t0\t0\t0',
  '',
].join('\n');

/** The manifest: its hostname, kernel, user names and redaction patterns hostile. */
function manifestText(): string {
  return JSON.stringify({
    format: 'procmon-snapshot',
    version: 1,
    takenAt: '2026-01-02T03:04:05.000Z',
    hostname: HOST,
    kernel: KERNEL,
    pageSize: 4096,
    clockTicks: 100,
    bootTimeSeconds: 1_767_000_000,
    pids: [PID],
    vanished: [],
    failures: [],
    environ: { captured: true, redacted: [PATTERN] },
    users: { '0': USER },
    groups: { '0': USER },
  });
}

/** The files of a hostile snapshot, packed by the system's tar, manifest first. */
function hostileArchive(): Uint8Array {
  const root = tempFolder('procmon-viewer-hostile-');
  const process = join(root, 'proc', String(PID));
  mkdirSync(join(process, 'fd'), { recursive: true });
  mkdirSync(join(process, 'task', String(PID)), { recursive: true });
  writeFileSync(join(root, 'manifest.json'), manifestText());
  writeFileSync(join(process, 'stat'), stat());
  writeFileSync(join(process, 'status'), STATUS);
  writeFileSync(join(process, 'comm'), `${COMM}\n`);
  writeFileSync(join(process, 'statm'), '1153 501 375 193 0 172 0\n');
  writeFileSync(
    join(process, 'io'),
    'rchar: 1\nwchar: 0\nsyscr: 1\nsyscw: 0\nread_bytes: 0\nwrite_bytes: 0\ncancelled_write_bytes: 0\n',
  );
  writeFileSync(join(process, 'maps'), '');
  writeFileSync(join(process, 'cgroup'), '0::/\n');
  symlinkSync('/bin/x', join(process, 'exe'));
  symlinkSync('/', join(process, 'root'));
  writeFileSync(join(process, 'cmdline'), `/bin/x\0${ARG}\0`);
  writeFileSync(join(process, 'environ'), `${ENV[0]}=${ENV[1]}\0`);
  symlinkSync(CWD, join(process, 'cwd'));
  symlinkSync(FD, join(process, 'fd', '0'));
  return tar(root, ['manifest.json', 'proc']);
}

/** An archive whose second member climbs out under a name that is HTML. */
function climbingArchive(): Uint8Array {
  const root = join(tempFolder('procmon-viewer-climbing-'), 'in');
  mkdirSync(root);
  writeFileSync(join(root, 'manifest.json'), manifestText());
  writeFileSync(join(root, '..', '<img src=x onerror=alert(9)>'), 'x');
  return tar(root, ['manifest.json', '../<img src=x onerror=alert(9)>'], ['-P']);
}

function tar(cwd: string, members: string[], options: string[] = []): Uint8Array {
  const run = spawnSync('tar', ['--format=posix', ...options, '-cz', ...members], { cwd });
  if (run.status !== 0) throw new Error(`tar: ${run.stderr}`);
  return run.stdout;
}

/** Loads the page afresh and gives it one file through the input; waits until shown (or failed). */
async function open(page: Page, name: string, bytes: Uint8Array, state: string): Promise<void> {
  await page.goto(`${ORIGIN}/`);
  await page.setInputFiles('#file-input', {
    name,
    mimeType: 'application/gzip',
    buffer: Buffer.from(bytes),
  });
  await page.waitForSelector(`body[data-state="${state}"]`);
}

/** Elements an attacker's text could have made, anywhere in the page. */
const made = (page: Page) =>
  page.evaluate(
    () => document.querySelectorAll('img, svg, iframe, a, b, script:not([src])').length,
  );

describeInChromium('hostile snapshots in the viewer', () => {
  let served: ServedViewer;
  let page: Page;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    served = await launchViewer();
    page = await served.context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 60_000);

  afterAll(async () => {
    await served?.browser.close();
    await cleanup();
  });

  it("shows the manifest's hostname, kernel and patterns, and every name of a process, as escaped text", async () => {
    const hostile = hostileArchive();
    await open(page, 'hostile.tar.gz', hostile, 'shown');
    expect(await page.locator('[data-fact="host"]').textContent()).toBe(escapeText(HOST));
    expect(await page.locator('[data-fact="kernel"]').textContent()).toBe(KERNEL);
    expect(await page.locator('[data-fact="environment"]').textContent()).toBe(
      `captured, redacted: ${PATTERN}`,
    );
    expect(await page.locator(`li[data-pid="${PID}"] .comm`).first().textContent()).toBe(COMM);
    await page.click(`li[data-pid="${PID}"] > .row`);
    await page.waitForSelector(`#details[data-pid="${PID}"]`);
    expect(await page.locator('#details .args li').allTextContents()).toEqual([
      '/bin/x',
      escapeText(ARG),
    ]);
    expect(await page.locator('#details dd.cwd').textContent()).toBe(CWD);
    const details = (await page.locator('#details').textContent()) ?? '';
    expect(details).toContain(FD);
    expect(details).toContain(ENV[0]);
    expect(details).toContain(ENV[1]);
    await page.click('#tabs button[data-tab="connections"]');
    expect(await made(page)).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('shows the refusal of a member whose name is HTML as text', async () => {
    await open(page, 'climbing.tar.gz', climbingArchive(), 'error');
    expect(await page.locator('#error .message').textContent()).toBe(
      'member ../<img src=x onerror=alert(9)> is refused: it has a ".." segment',
    );
    expect(await made(page)).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('made no request off its own files and threw nothing', () => {
    expect(served.stray).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
