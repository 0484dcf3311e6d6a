// Bad arguments are a TypeError before any I/O: node:fs is wrapped to record every call ProcFS
// makes, the backend (node or native) to record every op it is given, and the root is a trap where the paths a bad argument would build exist, so a missing
// check would read a file instead of throwing.
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  apiOf,
  cleanup,
  errorOf,
  fixtureRoot,
  modes,
  syncErrorOf,
  tempFolder,
  tempRoot,
} from '../test/helpers.js';
import { defaultBackend } from './backend-choice.js';
import type { Backend } from './flow.js';
import type { Op } from './ops.js';
import { ProcFS } from './procfs.js';

const fsCalls = vi.hoisted(() => [] as string[]);

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const recorded = [
    'open',
    'openSync',
    'read',
    'readSync',
    'close',
    'closeSync',
    'readlink',
    'readlinkSync',
    'readdir',
    'readdirSync',
    'stat',
    'statSync',
  ] as const;
  const wrapped: Record<string, unknown> = { ...fs };
  for (const name of recorded) {
    const original = fs[name] as (...args: unknown[]) => unknown;
    wrapped[name] = (...args: unknown[]) => {
      fsCalls.push(`${name} ${String(args[0])}`);
      return original(...args);
    };
  }
  return wrapped;
});

const trap = tempRoot({
  '1/stat': '1 (trap) S 0\n',
  '1/task/1/stat': '1 (trap) S 0\n',
  '1/fd/0': 'not a link',
  '-1/stat': 'trap',
  '0/stat': 'trap',
  '1.5/stat': 'trap',
  'NaN/stat': 'trap',
  'Infinity/stat': 'trap',
  '9007199254740992/stat': 'trap',
  'a/b': 'trap',
  'net/tcp': 'trap',
  '1/net/tcp': 'trap',
});
/** The default backend, recording each op it is given into fsCalls. */
function recorded(backend: Backend): Backend {
  const record = (ops: readonly Op[]) => {
    for (const op of ops) fsCalls.push(`op ${op.kind} ${String(op.path)}`);
  };
  return {
    name: backend.name,
    perform: (op, root) => {
      record([op]);
      return backend.perform(op, root);
    },
    performAsync: (op, root) => {
      record([op]);
      return backend.performAsync(op, root);
    },
    performBatch: (ops, root) => {
      record(ops);
      return backend.performBatch?.(ops, root) ?? ops.map((op) => backend.perform(op, root));
    },
    performBatchAsync: (ops, root) => {
      record(ops);
      return (
        backend.performBatchAsync?.(ops, root) ??
        Promise.all(ops.map((op) => backend.performAsync(op, root)))
      );
    },
  };
}

const procfs = new ProcFS({ root: trap, backend: recorded(defaultBackend()) });
afterAll(cleanup);

// `as never`: these values break the declared types on purpose.
const badPids: unknown[] = [
  -1,
  0,
  -0,
  1.5,
  '../1',
  '1',
  Number.NaN,
  2 ** 53,
  Number.POSITIVE_INFINITY,
  1n,
  null,
  undefined,
  {},
];
const badFds: unknown[] = [-1, 1.5, Number.NaN, '0', 2 ** 53, '../0', null];
const badNames: unknown[] = [
  'a/b',
  '..',
  '.',
  '',
  'stat\0',
  '\0',
  '/etc/passwd',
  'fd/0',
  '../1/stat',
  1,
  null,
  undefined,
];
const badMaxBytes: unknown[] = [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '10', 2 ** 53];

type Api = ReturnType<typeof apiOf>;
type Case = [label: string, run: (api: Api) => unknown, names: RegExp];

const cases: Case[] = [
  ...badPids.flatMap((pid): Case[] => {
    const p = pid as never;
    const label = typeof pid === 'string' ? JSON.stringify(pid) : String(pid);
    return [
      [`readFile(${label})`, (api) => api.readFile(p, 'stat'), /^pid /],
      [`readTaskFile(${label}, 1)`, (api) => api.readTaskFile(p, 1, 'stat'), /^pid /],
      [`readTaskFile(1, ${label})`, (api) => api.readTaskFile(1, p, 'stat'), /^tid /],
      [`readLink(${label})`, (api) => api.readLink(p, 'exe'), /^pid /],
      [`readFdLink(${label})`, (api) => api.readFdLink(p, 0), /^pid /],
      [`listTasks(${label})`, (api) => api.listTasks(p), /^pid /],
      [`listFds(${label})`, (api) => api.listFds(p), /^pid /],
      [`listTaskFds(${label}, 1)`, (api) => api.listTaskFds(p, 1), /^pid /],
      [`listTaskFds(1, ${label})`, (api) => api.listTaskFds(1, p), /^tid /],
      [`processState(${label})`, (api) => api.processState(p), /^pid /],
      // undefined is "no pid" here: the machine-wide table.
      ...(pid === undefined
        ? []
        : ([
            [`readNetFile(tcp, ${label})`, (api) => api.readNetFile('tcp', p), /^pid /],
          ] as Case[])),
    ];
  }),
  ...badFds.map(
    (fd): Case => [`readFdLink(1, ${String(fd)})`, (api) => api.readFdLink(1, fd as never), /^fd /],
  ),
  ...badNames.flatMap((name): Case[] => {
    const n = name as never;
    const label = typeof name === 'string' ? JSON.stringify(name) : String(name);
    return [
      [`readFile(1, ${label})`, (api) => api.readFile(1, n), /^file name /],
      [`readTaskFile(1, 1, ${label})`, (api) => api.readTaskFile(1, 1, n), /^file name /],
      [`readSystemFile(${label})`, (api) => api.readSystemFile(n), /^file name /],
      [`readNetFile(${label})`, (api) => api.readNetFile(n), /^net file name /],
      [`readNetFile(${label}, 1)`, (api) => api.readNetFile(n, 1), /^net file name /],
      [`readLink(1, ${label})`, (api) => api.readLink(1, n), /^link name /],
    ];
  }),
  ...badMaxBytes.flatMap((maxBytes): Case[] => {
    const options = { maxBytes: maxBytes as never };
    const label = `{ maxBytes: ${typeof maxBytes === 'string' ? `"${maxBytes}"` : String(maxBytes)} }`;
    return [
      [`readFile(1, stat, ${label})`, (api) => api.readFile(1, 'stat', options), /^maxBytes /],
      [
        `readTaskFile(1, 1, stat, ${label})`,
        (api) => api.readTaskFile(1, 1, 'stat', options),
        /^maxBytes /,
      ],
      [
        `readSystemFile(stat, ${label})`,
        (api) => api.readSystemFile('stat', options),
        /^maxBytes /,
      ],
      [`readNetFile(tcp, 1, ${label})`, (api) => api.readNetFile('tcp', 1, options), /^maxBytes /],
      [
        `readNetFile(tcp, ${label})`,
        (api) => api.readNetFile('tcp', undefined, options),
        /^maxBytes /,
      ],
    ];
  }),
];

describe.each(modes)('bad arguments (%s)', (mode) => {
  const api = apiOf(procfs, mode);

  it('the fs spy sees the I/O of a good call (so "no I/O" below means something)', async () => {
    fsCalls.length = 0;
    await (mode === 'sync' ? procfs.readFile(1, 'stat') : procfs.promises.readFile(1, 'stat'));
    expect(fsCalls).toContain('op read 1/stat');
    // Under the node backend the fs spy sees the open itself too.
    if (procfs.backend.name === 'node') {
      expect(fsCalls).toContain(`${mode === 'sync' ? 'openSync' : 'open'} ${trap}/1/stat`);
    }
  });

  it.each(cases)('%s is a TypeError naming the argument, before any I/O', async (_, run, names) => {
    fsCalls.length = 0;
    const error = await errorOf(mode, () => run(api));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toMatch(names);
    expect(fsCalls).toEqual([]);
  });
});

describe('new ProcFS', () => {
  const file = `${tempRoot({ 'a-file': 'x' })}/a-file`;
  const roots: [string, unknown][] = [
    ['a folder that does not exist', `${tempFolder()}/missing`],
    ['a file', file],
    ['the empty string', ''],
    ['a number', 5],
    ['a path through a file', `${file}/proc`],
  ];

  it.each(roots)('refuses a root that is %s with a TypeError', (_, root) => {
    const error = syncErrorOf(() => new ProcFS({ root: root as never }));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toMatch(/^root /);
  });

  it.each(badMaxBytes)('refuses maxBytes %s with a TypeError', (maxBytes) => {
    const error = syncErrorOf(() => new ProcFS({ root: fixtureRoot, maxBytes: maxBytes as never }));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toMatch(/^maxBytes /);
  });

  it('accepts a folder root, the default root and a positive maxBytes', () => {
    expect(new ProcFS({ root: trap, maxBytes: 1 }).maxBytes).toBe(1);
    expect(new ProcFS().root).toBe('/proc');
    expect(new ProcFS().maxBytes).toBe(64 * 1024 * 1024);
  });
});
