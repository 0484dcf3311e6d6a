// The process model in a real browser. A bundle of `@procmon/process`, `@procmon/procfs`,
// `@procmon/netsock` and `@procmon/snapshot/read`, made by vite with the `browser` export
// condition as the viewer makes it, must hold no `node:*` import and no stub of one; loaded into
// headless Chromium, it must answer over a snapshot exactly as Node does over the same snapshot,
// and both must match what the test knows of the child it started (its args, cwd, parent and the
// port it listens on). Nothing goes over the network: the page, the bundle and the snapshot are
// served from memory to a made-up origin by request interception.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build, createLogger, type Rollup } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInChromium, launchChromium, memoryPage } from '../../../test-support/chromium.js';
import { tempFolder, trackChild } from './helpers.js';

const ORIGIN = 'http://procmon.test';
const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));

// What the page imports, as the viewer imports it.
const ENTRY_SOURCE = `export * as process from '@procmon/process';
export * as procfs from '@procmon/procfs';
export * as netsock from '@procmon/netsock';
export * as snapshot from '@procmon/snapshot/read';
`;

// The calls, as source, so Node and the page run the very same code over the same snapshot.
// Results are JSON with bigint, Map, Set, typed arrays, Dates, undefined and errors tagged, so
// two different answers never compare equal. (A plain string: keep backslashes and `${` out.)
const CALLS_SOURCE = `
function serialize(value) {
  return JSON.stringify(value, function (key, replaced) {
    const raw = this[key];
    if (typeof raw === 'bigint') return { $bigint: raw.toString() };
    // When a stat was read, on the reading machine's monotonic clock: never the same twice.
    if (key === 'readAt' && typeof raw === 'number') return { $clock: true };
    if (raw === undefined) return { $undefined: true };
    if (typeof raw === 'function' || typeof raw === 'symbol') return { $unserializable: typeof raw };
    if (raw instanceof Map) return { $map: Array.from(raw) };
    if (raw instanceof Set) return { $set: Array.from(raw) };
    if (raw instanceof Uint8Array) return { $bytes: Array.from(raw) };
    if (raw instanceof Date) return { $date: raw.getTime() };
    if (raw instanceof Error) {
      return { error: raw.name, message: raw.message, code: raw.code, pid: raw.pid, path: raw.path, feature: raw.feature };
    }
    return replaced;
  });
}
async function attempt(call) {
  try {
    return { value: await call() };
  } catch (error) {
    return { threw: error };
  }
}
const identity = (p) => (p === undefined ? undefined : { pid: p.pid, startTime: p.startTime });
async function modelCalls(mods, bytes, subject) {
  const snapshot = await mods.snapshot.readSnapshot(bytes);
  const procfs = new mods.procfs.ProcFS({ backend: mods.snapshot.snapshotBackend(snapshot) });
  const resolver = new mods.netsock.SocketResolver({ procfs, backend: 'procfs' });
  // The snapshot holds the socket tables of the capturing process's network namespace (proc/net/,
  // not proc/<pid>/net/), which the processes captured here share: sockets are looked up there.
  const sockets = {
    resolve: (inodes) => resolver.resolve(inodes),
    resolveAsync: (inodes) => resolver.resolveAsync(inodes),
  };
  const tables = subject.tables;
  const options = { procfs, sockets };
  const { Process } = mods.process;
  const child = Process.open(subject.child, options);
  const parent = Process.open(subject.parent, options);
  const fields = ['path', 'args', 'cwd', 'uids', 'status'];
  return {
    manifestPids: snapshot.manifest.pids,
    scan: await attempt(() => mods.process.scanProcesses({ procfs, fields })),
    scanAsync: await attempt(() => mods.process.scanProcessesAsync({ procfs, fields })),
    details: await attempt(() => child.details()),
    detailsAsync: await attempt(() => child.detailsAsync()),
    parent: await attempt(() => identity(child.parent())),
    tree: await attempt(() => child.tree()),
    children: await attempt(() => parent.children().map(identity)),
    childrenAsync: await attempt(async () => (await parent.childrenAsync()).map(identity)),
    descriptors: await attempt(() => child.extraInfo({ fields: ['descriptors', 'status', 'statm'] })),
    connections: await attempt(() => mods.process.connections({ procfs, resolver, tables })),
    connectionsAsync: await attempt(() => mods.process.connectionsAsync({ procfs, resolver, tables })),
  };
}
return { serialize, modelCalls };
`;

interface Calls {
  serialize(value: unknown): string;
  modelCalls(mods: unknown, bytes: Uint8Array, subject: Subject): Promise<unknown>;
}
interface Subject {
  child: number;
  parent: number;
  /** The socket tables a snapshot holds. */
  tables: readonly string[];
}
const calls = new Function(CALLS_SOURCE)() as Calls;

/** What the bundler made, and every message it logged. */
interface Bundle {
  files: Map<string, string>;
  messages: string[];
}

/**
 * The entry bundled by vite (library mode, ES module, vite's browser defaults: the `browser`
 * export condition), resolving the packages through their package.json as a consumer does:
 * `node_modules/@procmon/*` in a temporary folder are links to the packages here.
 */
async function bundleEntry(): Promise<Bundle> {
  const folder = tempFolder('procmon-browser-bundle-');
  const scope = join(folder, 'node_modules', '@procmon');
  mkdirSync(scope, { recursive: true });
  for (const name of ['process', 'procfs', 'netsock', 'snapshot']) {
    symlinkSync(join(PACKAGES, name), join(scope, name));
  }
  writeFileSync(join(folder, 'entry.js'), ENTRY_SOURCE);
  const messages: string[] = [];
  const logger = createLogger('info', { allowClearScreen: false });
  logger.info = (message) => void messages.push(`info: ${message}`);
  logger.warn = (message) => void messages.push(`warn: ${message}`);
  logger.warnOnce = logger.warn;
  logger.error = (message) => void messages.push(`error: ${message}`);
  const output = (await build({
    configFile: false,
    root: folder,
    customLogger: logger,
    logLevel: 'info',
    build: {
      write: false,
      minify: false,
      emptyOutDir: false,
      lib: { entry: join(folder, 'entry.js'), formats: ['es'], fileName: 'bundle' },
    },
  })) as Rollup.RollupOutput | Rollup.RollupOutput[];
  const files = new Map<string, string>();
  for (const result of Array.isArray(output) ? output : [output]) {
    for (const item of result.output) {
      files.set(item.fileName, item.type === 'chunk' ? item.code : String(item.source));
    }
  }
  return { files, messages };
}

/** A child with known args and cwd, listening on a TCP port of 127.0.0.1 (which it prints). */
async function startListener(cwd: string, args: readonly string[]) {
  const script =
    "const server = require('node:net').createServer(); server.listen(0, '127.0.0.1', () => console.log(server.address().port)); setInterval(() => {}, 1e9);";
  const child: ChildProcess = trackChild(
    spawn(process.execPath, ['-e', script, ...args], { cwd, stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(Number(text.trim()));
    });
    child.once('exit', (code) => reject(new Error(`listener exited (${code}) before listening`)));
  });
  return { child, pid: child.pid as number, port, argv: [process.execPath, '-e', script, ...args] };
}

describeInChromium('the model in a real browser (headless Chromium) over a snapshot', () => {
  let browser: Browser | undefined;
  let page: Page;
  let bundle: Bundle;
  let subject: Subject;
  let listener: Awaited<ReturnType<typeof startListener>>;
  let cwd: string;
  let inNode: string;
  let inPage: string;
  const pageErrors: string[] = [];
  const offOrigin: string[] = [];

  beforeAll(async () => {
    const snapshotDist = join(PACKAGES, 'snapshot', 'dist', 'index.js');
    for (const file of [snapshotDist, join(PACKAGES, 'process', 'dist', 'browser.js')]) {
      if (!existsSync(file)) {
        throw new Error(`${file} is missing: build first (pnpm build)`);
      }
    }
    bundle = await bundleEntry();

    cwd = realpathSync(tempFolder('procmon-browser-cwd-'));
    listener = await startListener(cwd, ['first arg', 'ünïcode ✓', '--port=0']);
    const snapshotModule = await import(pathToFileURL(snapshotDist).href);
    subject = {
      child: listener.pid,
      parent: process.pid,
      // The tables a snapshot holds (net/{tcp,tcp6,udp,udp6,unix}), as netsock names them.
      tables: ['tcp', 'udp', 'unix'],
    };
    const bytes: Uint8Array = await snapshotModule.captureSnapshot({
      pids: [listener.pid, process.pid],
    });

    const nodeModules = {
      process: await import('../dist/index.js'),
      procfs: await import('@procmon/procfs'),
      netsock: await import('@procmon/netsock'),
      snapshot: snapshotModule,
    };
    inNode = calls.serialize(await calls.modelCalls(nodeModules, bytes, subject));

    browser = await launchChromium();
    page = await memoryPage(
      browser,
      ORIGIN,
      'procmon model',
      (path) => {
        if (path === '/snapshot.tar.gz') return { contentType: 'application/gzip', body: bytes };
        const file = bundle.files.get(path.slice(1));
        return file === undefined
          ? undefined
          : { contentType: 'text/javascript; charset=utf-8', body: file };
      },
      { offOrigin, pageErrors },
    );
    // Page-side code goes in as source text: vitest transforms this file, and a transformed
    // function (its import() above all) would not run in a page.
    inPage = (await page
      .evaluate(`(async () => {
        globalThis.__calls = new Function(${JSON.stringify(CALLS_SOURCE)})();
        globalThis.__mods = await import('/bundle.js');
        globalThis.__bytes = new Uint8Array(await (await fetch('/snapshot.tar.gz')).arrayBuffer());
        const results = await globalThis.__calls.modelCalls(globalThis.__mods, globalThis.__bytes, ${JSON.stringify(subject)});
        return globalThis.__calls.serialize(results);
      })()`)
      .catch((error: Error) => {
        // Reported by the tests below (the bundle's own check first), not as a failed setup.
        pageErrors.push(`loading or running the bundle: ${error.message}`);
        return 'null';
      })) as string;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    listener?.child.kill();
  });

  it('bundles with no node: import, no stub of one, and no built-in externalized', () => {
    expect([...bundle.files.keys()]).toContain('bundle.js');
    const code = [...bundle.files.values()].join('\n');
    expect(code).toContain('SocketResolver');
    expect(code).not.toMatch(/\b(?:from|import|require)\s*\(?\s*["']node:/);
    expect(code).not.toContain('__vite-browser-external');
    const complaints = bundle.messages.filter((message) =>
      /externali[sz]ed|browser-external|browser compatibility|node:/i.test(message),
    );
    expect(complaints).toEqual([]);
    expect(bundle.messages.filter((message) => message.startsWith('error'))).toEqual([]);
  });

  it('loads as a module, with no Node globals, errors or outside requests', async () => {
    const loaded = (await page.evaluate(`({
        nodeGlobals: ['Buffer', 'process', 'require', 'module', 'global', 'setImmediate'].filter(
          (name) => typeof globalThis[name] !== 'undefined',
        ),
        userAgent: navigator.userAgent,
        modules: Object.keys(globalThis.__mods).sort(),
      })`)) as { nodeGlobals: string[]; userAgent: string; modules: string[] };
    expect(loaded.userAgent).toContain('Chrome');
    expect(loaded.nodeGlobals).toEqual([]);
    expect(loaded.modules).toEqual(['netsock', 'process', 'procfs', 'snapshot']);
    expect(pageErrors).toEqual([]);
    expect(offOrigin).toEqual([]);
  });

  it('answers every call exactly as Node does over the same snapshot', () => {
    expect(JSON.parse(inPage)).toEqual(JSON.parse(inNode));
  });

  it('gives the known truth: args, cwd, binary, parent, children', () => {
    const results = JSON.parse(inNode);
    for (const name of ['details', 'parent', 'tree', 'children', 'scan']) {
      expect(results[name].threw, name).toBeUndefined();
    }
    const details = results.details.value;
    expect(details.pid).toBe(listener.pid);
    expect(details.args).toEqual(listener.argv);
    expect(details.cwd).toBe(cwd);
    expect(details.path).toBe(realpathSync(process.execPath));
    expect(results.detailsAsync).toEqual(results.details);
    expect(results.parent.value.pid).toBe(process.pid);
    expect(results.tree.value.map((entry: { pid: number }) => entry.pid).slice(0, 2)).toEqual([
      listener.pid,
      process.pid,
    ]);
    const children = results.children.value.map((entry: { pid: number }) => entry.pid);
    expect(children).toContain(listener.pid);
    expect(results.childrenAsync).toEqual(results.children);
    const scanned = results.scan.value.find((entry: { pid: number }) => entry.pid === listener.pid);
    expect(scanned).toMatchObject({ ppid: process.pid, args: listener.argv, cwd });
    expect(results.scan.value.map((entry: { pid: number }) => entry.pid).sort()).toEqual(
      [listener.pid, process.pid].sort((a, b) => a - b),
    );
    expect(results.scanAsync).toEqual(results.scan);
  });

  it("finds the child's listening port in its descriptors and in the connections", () => {
    const results = JSON.parse(inNode);
    type Socket = { protocol: string; state: string; localAddress: string; localPort: number };
    const isListener = (socket: Socket | undefined) =>
      socket?.protocol === 'tcp' &&
      socket.state === 'LISTEN' &&
      socket.localAddress === '127.0.0.1' &&
      socket.localPort === listener.port;
    expect(results.descriptors.threw).toBeUndefined();
    expect(results.connections.threw).toBeUndefined();
    const descriptors = results.descriptors.value.descriptors as { socket?: Socket }[];
    expect(descriptors.filter((descriptor) => isListener(descriptor.socket))).toHaveLength(1);
    const held = (results.connections.value as { socket: Socket; holders: { pid: number }[] }[])
      .filter((connection) => isListener(connection.socket))
      .map((connection) => connection.holders.map((holder) => holder.pid));
    expect(held).toEqual([[listener.pid]]);
    expect(results.connectionsAsync).toEqual(results.connections);
  });

  it('throws NodeOnlyError, saying why, for what needs Node', async () => {
    const errors = JSON.parse(
      (await page.evaluate(`(async () => {
          const { procfs, process: model, netsock } = globalThis.__mods;
          const attempt = (call) => {
            try {
              call();
              return { returned: true };
            } catch (error) {
              return { name: error.name, feature: error.feature, message: error.message, isNodeOnly: error instanceof procfs.NodeOnlyError };
            }
          };
          const snapshotProcfs = new procfs.ProcFS({
            backend: globalThis.__mods.snapshot.snapshotBackend(await globalThis.__mods.snapshot.readSnapshot(globalThis.__bytes)),
          });
          return JSON.stringify({
            defaultProcFS: attempt(() => new procfs.ProcFS()),
            procfsBackend: attempt(() => procfs.procfsBackend()),
            nodeBackend: attempt(() => new procfs.ProcFS({ backend: procfs.nodeBackend }).readFile(1, 'stat')),
            checksums: attempt(() => model.Process.open(${listener.pid}, { procfs: snapshotProcfs }).computeChecksums(['sha256'])),
            nativeBackend: procfs.nativeBackend() === undefined,
            netsockBackend: netsock.netsockBackend(),
          });
        })()`)) as string,
    );
    expect(errors.defaultProcFS).toMatchObject({ name: 'NodeOnlyError', isNodeOnly: true });
    expect(errors.defaultProcFS.message).toMatch(/^no \/proc in a browser: give ProcFS a backend/);
    expect(errors.procfsBackend).toMatchObject({ name: 'NodeOnlyError', feature: 'proc' });
    expect(errors.nodeBackend).toMatchObject({ name: 'NodeOnlyError', feature: 'node-fs' });
    expect(errors.checksums).toMatchObject({ name: 'NodeOnlyError', feature: 'hash' });
    expect(errors.nativeBackend).toBe(true);
    expect(errors.netsockBackend.name).toBe('procfs');
    expect(errors.netsockBackend.reason).toMatch(/no native addon in a browser/);
    expect(pageErrors).toEqual([]);
  });
});
