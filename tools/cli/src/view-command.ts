// `procmon view FILE [FILE2]`: the snapshot viewer (@procmon/viewer's built page) served from
// 127.0.0.1 with the snapshot(s), and opened in the system's browser. The page reads the files
// itself; this server only hands out bytes, from a fixed list of routes made at startup: the
// viewer's own files by their exact names, and /snapshot/0 (and /1). No part of a request's path
// ever reaches the file system, and a request whose Host is not this server's address is refused
// (so a page elsewhere cannot reach it through DNS rebinding).
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { delimiter, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { escapeText } from '@procmon/parse';
import { writeErr, writeOut } from './output.js';
import { readSnapshotFile } from './snapshot-file.js';
import { UsageError } from './usage-error.js';

export interface ViewArguments {
  /** A fixed port; a free one unless given. */
  port?: number;
  /** False with --no-open: print the URL only. */
  open?: boolean;
}

const HOST = '127.0.0.1';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

// The page's own policy (its meta tag) again as a header, for every answer.
const HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** What to do about a port that cannot be listened on. */
const LISTEN_HINTS: Record<string, string> = {
  EADDRINUSE: ': the port is in use; give another --port, or none for a free one',
  EACCES: ': a port below 1024 needs root; give another --port, or none for a free one',
};

/** A route: the bytes it answers with and their type. */
interface Route {
  body: Uint8Array;
  type: string;
}

export async function view(files: string[], args: ViewArguments): Promise<void> {
  if (files.length === 0 || files.length > 2) {
    throw new UsageError('view takes one snapshot file, or two to see their diff');
  }
  const routes = viewerRoutes();
  if (routes === undefined) {
    await writeErr(
      `procmon: the viewer is not built (no index.html in ${escapeText(viewerFolder())}): pnpm build\n`,
    );
    process.exitCode = 1;
    return;
  }
  for (const [index, file] of files.entries()) {
    let body: Uint8Array;
    try {
      body = await readSnapshotFile(file);
    } catch (error) {
      const code = (error as { code?: string }).code ?? String(error);
      await writeErr(`procmon: cannot read ${escapeText(file)} (${code})\n`);
      process.exitCode = 1;
      return;
    }
    routes.set(`/snapshot/${index}`, { body, type: 'application/gzip' });
  }
  let server: Server;
  try {
    server = await listen(routes, args.port ?? 0);
  } catch (error) {
    const code = (error as { code?: string }).code ?? String(error);
    await writeErr(
      `procmon: cannot serve on ${HOST}:${args.port ?? 0} (${code})${LISTEN_HINTS[code] ?? ''}\n`,
    );
    process.exitCode = 1;
    return;
  }
  const { port } = server.address() as AddressInfo;
  const query = files.map((_, index) => `snapshot=/snapshot/${index}`).join('&');
  const url = `http://${HOST}:${port}/?${query}`;
  await writeOut(
    `procmon: viewing ${files.map((file) => escapeText(file)).join(' and ')} at\n${url}\n(Ctrl-C stops)\n`,
  );
  if (args.open !== false) await openInBrowser(url);
  await stopped(server);
}

/**
 * Where the viewer's built page is: dist/viewer/ beside this module in the built command (the
 * build copies it there), else @procmon/viewer's own dist/ in the workspace.
 */
function viewerFolder(): string {
  const copied = fileURLToPath(new URL('./viewer/', import.meta.url));
  if (existsSync(join(copied, 'index.html'))) return copied;
  try {
    return join(
      dirname(createRequire(import.meta.url).resolve('@procmon/viewer/package.json')),
      'dist',
    );
  } catch {
    return copied;
  }
}

/** index.html at `/` and every file under the viewer's dist/, by its exact path; undefined without one. */
function viewerRoutes(): Map<string, Route> | undefined {
  const dist = viewerFolder();
  const routes = new Map<string, Route>();
  let names: string[];
  try {
    names = readdirSync(dist, { recursive: true, encoding: 'utf8' });
  } catch {
    names = [];
  }
  for (const name of names) {
    const type = TYPES[extname(name)];
    if (type === undefined) continue;
    const path = `/${name.split('\\').join('/')}`;
    routes.set(path, { body: readFileSync(join(dist, name)), type });
  }
  const index = routes.get('/index.html');
  if (index === undefined) return undefined;
  routes.set('/', index);
  return routes;
}

function listen(routes: ReadonlyMap<string, Route>, port: number): Promise<Server> {
  const server = createServer((request, response) => answer(routes, server, request, response));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function answer(
  routes: ReadonlyMap<string, Route>,
  server: Server,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const { port } = server.address() as AddressInfo;
  if (request.headers.host !== `${HOST}:${port}` && request.headers.host !== `localhost:${port}`) {
    refuse(response, 421, 'this server answers only to its own address');
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    refuse(response, 405, 'only GET and HEAD');
    return;
  }
  // The raw path, never decoded or normalized: it must be one of the routes, byte for byte.
  const raw = request.url ?? '';
  const query = raw.indexOf('?');
  const route = routes.get(query < 0 ? raw : raw.slice(0, query));
  if (route === undefined) {
    refuse(response, 404, 'not found');
    return;
  }
  response.writeHead(200, {
    ...HEADERS,
    'Content-Type': route.type,
    'Content-Length': route.body.length,
  });
  response.end(request.method === 'HEAD' ? undefined : route.body);
}

function refuse(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { ...HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(`${text}\n`);
}

/** Opens `url` with xdg-open when it is on PATH; says so when it is not, or when it fails. */
async function openInBrowser(url: string): Promise<void> {
  const opener = onPath('xdg-open');
  if (opener === undefined) {
    await writeErr('procmon: xdg-open is not on PATH: open the URL above in a browser\n');
    return;
  }
  const failed = await new Promise<string | undefined>((resolve) => {
    const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
    child.once('error', (error) => resolve(error.message));
    child.once('spawn', () => {
      child.unref();
      resolve(undefined);
    });
  });
  if (failed !== undefined) {
    await writeErr(
      `procmon: ${escapeText(opener)} failed (${escapeText(failed)}): open the URL above in a browser\n`,
    );
  }
}

function onPath(command: string): string | undefined {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (folder === '') continue;
    const candidate = join(folder, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Resolves once Ctrl-C (or SIGTERM) has closed the server. */
function stopped(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
