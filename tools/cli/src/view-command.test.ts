// `procmon view` through the built binary: it serves the built viewer and the snapshot from
// 127.0.0.1 on a fixed list of routes (anything else is 404, whatever its dots and escapes),
// refuses requests for another Host, opens the URL with xdg-open when there is one, and stops
// on Ctrl-C.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { SocketResolver } from '@procmon/netsock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, exited, tempFolder, trackChild } from '../../../test-support/processes.js';
import { binary, procmon } from '../test/binary.js';

afterAll(cleanup);

const VIEWER_DIST = join(
  dirname(createRequire(import.meta.url).resolve('@procmon/viewer/package.json')),
  'dist',
);

let folder: string;
let snapshotFile: string;

beforeAll(() => {
  folder = tempFolder('procmon-view-');
  snapshotFile = join(folder, 'machine.tar.gz');
  const run = procmon(['snapshot', '-o', snapshotFile, '-p', String(process.pid)]);
  expect(run.status, run.stderr).toBe(0);
});

interface Viewing {
  child: ChildProcess;
  url: URL;
  /** Everything written to stderr so far. */
  stderr: () => string;
}

/** `procmon view ...args`, until it prints its URL. */
async function startView(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Viewing> {
  const child = trackChild(
    spawn(process.execPath, [binary, 'view', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  let stdout = '';
  const url = await new Promise<URL>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = /^http:\/\/\S+$/m.exec(stdout);
      if (line) resolve(new URL(line[0]));
    });
    child.once('exit', (code) =>
      reject(new Error(`procmon view exited (${code}): ${stdout}${stderr}`)),
    );
  });
  return { child, url, stderr: () => stderr };
}

/** One request with `path` sent exactly as written (no normalization of dots or escapes). */
function get(
  url: URL,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: url.hostname, port: url.port, path, method, headers: { host: url.host, ...headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks),
            headers: response.headers,
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('procmon view', () => {
  it('serves the viewer and the snapshot on 127.0.0.1, and nothing else', async () => {
    const viewing = await startView([snapshotFile, '--no-open']);
    const { url } = viewing;
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.search).toBe('?snapshot=/snapshot/0');

    const index = await get(url, '/');
    expect(index.status).toBe(200);
    expect(index.body.equals(readFileSync(join(VIEWER_DIST, 'index.html')))).toBe(true);
    expect(index.headers['content-security-policy']).toContain("default-src 'none'");
    // Every asset the page names is served, byte for byte.
    const assets = [
      ...index.body.toString('utf8').matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g),
    ].map((m) => m[1] as string);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      const served = await get(url, `/${asset}`);
      expect(served.status, asset).toBe(200);
      expect(served.body.equals(readFileSync(join(VIEWER_DIST, asset)))).toBe(true);
    }
    const snapshot = await get(url, '/snapshot/0');
    expect(snapshot.status).toBe(200);
    expect(snapshot.body.equals(readFileSync(snapshotFile))).toBe(true);

    for (const path of [
      '/snapshot/1',
      '/../package.json',
      '/%2e%2e/',
      '/%2e%2e/package.json',
      '/assets/../index.html',
      '/assets/%2e%2e/index.html',
      '//etc/passwd',
      '/index.html/',
      '/package.json',
      '/src/main.ts',
    ]) {
      expect((await get(url, path)).status, path).toBe(404);
    }
    // A request naming another host (a rebound DNS name) is refused, even for a known route.
    expect((await get(url, '/snapshot/0', { host: `attacker.example:${url.port}` })).status).toBe(
      421,
    );
    expect((await get(url, '/', {}, 'POST')).status).toBe(405);

    // The kernel's own word on where it listens.
    const listening = new SocketResolver({ backend: 'procfs' })
      .list({ tables: ['tcp'], localPort: Number(url.port) })
      .filter((socket) => socket.state === 'LISTEN');
    expect(listening.map((socket) => socket.localAddress)).toEqual(['127.0.0.1']);

    viewing.child.kill('SIGINT');
    await exited(viewing.child);
    expect(viewing.child.exitCode).toBe(0);
  });

  it('opens the URL with xdg-open from PATH', async () => {
    const bin = tempFolder('procmon-view-opener-');
    const record = join(bin, 'opened');
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    const viewing = await startView([snapshotFile, snapshotFile], {
      ...process.env,
      PATH: `${bin}:${process.env.PATH}`,
    });
    expect(viewing.url.search).toBe('?snapshot=/snapshot/0&snapshot=/snapshot/1');
    // The opener runs detached: wait for what it wrote.
    let opened = '';
    for (let tries = 0; tries < 600 && opened === ''; tries++) {
      try {
        opened = readFileSync(record, 'utf8');
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    expect(opened).toBe(`${viewing.url.href}\n`);
    viewing.child.kill('SIGTERM');
    await exited(viewing.child);
    expect(viewing.child.exitCode).toBe(0);
  });

  it('says so when there is no xdg-open', async () => {
    const empty = tempFolder('procmon-view-nopath-');
    const viewing = await startView([snapshotFile], { ...process.env, PATH: empty });
    for (let tries = 0; tries < 600 && !viewing.stderr().includes('xdg-open'); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(viewing.stderr()).toBe(
      'procmon: xdg-open is not on PATH: open the URL above in a browser\n',
    );
    viewing.child.kill('SIGINT');
    await exited(viewing.child);
  });

  it('refuses a missing file and a third file', () => {
    const missing = procmon(['view', join(folder, 'nope.tar.gz'), '--no-open']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`procmon: cannot read ${join(folder, 'nope.tar.gz')} (ENOENT)\n`);
    const three = procmon(['view', snapshotFile, snapshotFile, snapshotFile, '--no-open']);
    expect(three.status).toBe(2);
    expect(three.stderr).toContain('too many arguments');
  });

  it('says why in one line when the port is taken, or privileged for a user (was an internal error with a stack)', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const busy = procmon(['view', snapshotFile, '--no-open', '--port', String(port)]);
      expect(busy.status).toBe(1);
      expect(busy.stderr).toBe(
        `procmon: cannot serve on 127.0.0.1:${port} (EADDRINUSE): the port is in use; give another --port, or none for a free one\n`,
      );
    } finally {
      taken.close();
    }
    if (process.getuid?.() !== 0) return;
    // As nobody, from a file nobody may read: port 80 is refused by the kernel.
    const open = tempFolder('procmon-view-open-');
    chmodSync(open, 0o755);
    const readable = join(open, 'machine.tar.gz');
    writeFileSync(readable, readFileSync(snapshotFile), { mode: 0o644 });
    const privileged = procmon(
      ['view', readable, '--no-open', '--port', '80'],
      ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'],
    );
    expect(privileged.status).toBe(1);
    expect(privileged.stderr).toBe(
      'procmon: cannot serve on 127.0.0.1:80 (EACCES): a port below 1024 needs root; give another --port, or none for a free one\n',
    );
  });

  it('serves the file as it was at the start, whatever replaces it (a symlink swapped)', async () => {
    const swapped = tempFolder('procmon-view-swap-');
    const first = join(swapped, 'first.tar.gz');
    writeFileSync(first, readFileSync(snapshotFile));
    const link = join(swapped, 'served.tar.gz');
    symlinkSync(first, link);
    const viewing = await startView([link, '--no-open']);
    const secret = join(swapped, 'secret');
    writeFileSync(secret, 'not for the page');
    rmSync(link);
    symlinkSync(secret, link);
    const served = await get(viewing.url, '/snapshot/0');
    expect(served.status).toBe(200);
    expect(served.body.equals(readFileSync(first))).toBe(true);
    viewing.child.kill('SIGINT');
    await exited(viewing.child);
  });
});
