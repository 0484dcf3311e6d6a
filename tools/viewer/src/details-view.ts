// A process's details, read through the model when it is selected: who it is (path, args, cwd,
// user, start, state), its environment when the snapshot has it (redacted values marked), its
// descriptors with the sockets behind them, its memory and its cgroup. A field the snapshot
// could not give says why (the failure's message), never an empty line.
import { containerOf, type Environ, parseCgroup } from '@procmon/parse';
import { type Descriptor, type FieldFailure, Process } from '@procmon/process';
import { REDACTED } from '@procmon/snapshot/read';
import { bytesText, socketText, startText, targetText } from './describe.js';
import { el, shown } from './dom.js';
import type { LoadedSnapshot } from './load.js';

export function detailsView(loaded: LoadedSnapshot, pid: number): HTMLElement {
  const scanned = loaded.byPid.get(pid);
  const panel = el('section', {
    class: 'panel details',
    id: 'details',
    data: { pid: String(pid) },
  });
  panel.append(el('h2', {}, `Process ${pid}`));
  let process: Process;
  try {
    process = Process.open(pid, { procfs: loaded.procfs, sockets: loaded.sockets });
  } catch (error) {
    panel.append(problem(error));
    return panel;
  }
  const failures: FieldFailure[] = [];
  const details = attempt(() => process.details());
  const extra = attempt(() =>
    process.extraInfo({ fields: ['environ', 'descriptors', 'status', 'statm'] }),
  );
  // details and extraInfo both read environ: its failure is listed once.
  for (const failure of [...(details?.failures ?? []), ...(extra?.failures ?? [])]) {
    if (!failures.some((seen) => seen.field === failure.field && seen.message === failure.message))
      failures.push(failure);
  }

  const facts = el('dl', { class: 'facts' });
  const fact = (name: string, value: string | Node, className?: string) => {
    facts.append(el('dt', {}, name), el('dd', className ? { class: className } : {}, value));
  };
  fact('path', shown(details?.path ?? scanned?.path ?? '?'), 'path');
  if (details) {
    const source = details.pathSource === 'exe' ? '' : ` (from ${details.pathSource})`;
    if (source || details.deleted)
      fact('path source', `${details.pathSource}${details.deleted ? ', deleted' : ''}`);
  }
  fact('name', shown(details?.comm ?? scanned?.comm ?? '?'));
  if (scanned) {
    fact('parent', String(scanned.ppid));
    fact('state', scanned.state);
    fact('started', startText(scanned.startTime, loaded.manifest));
  }
  const uids = extra?.status?.uid;
  if (uids) fact('user', `uid ${uids.effective} (real ${uids.real})`);
  fact('cwd', shown(details?.cwd ?? '(not read)'), 'cwd');
  panel.append(facts);

  panel.append(section('Arguments', argumentsList(details?.args)));
  panel.append(section('Environment', environment(loaded, extra?.environ)));
  panel.append(section('Descriptors', descriptors(extra?.descriptors)));
  panel.append(section('Memory', memory(extra)));
  panel.append(section('Cgroup', cgroup(loaded, pid)));
  if (failures.length > 0) {
    panel.append(
      section(
        'Not in the snapshot',
        el(
          'ul',
          { class: 'failures' },
          ...failures.map((failure) => el('li', {}, `${failure.field}: ${shown(failure.message)}`)),
        ),
      ),
    );
  }
  return panel;
}

function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function problem(error: unknown): HTMLElement {
  return el(
    'p',
    { class: 'problem' },
    shown(error instanceof Error ? error.message : String(error)),
  );
}

function section(title: string, body: Node): HTMLElement {
  return el(
    'section',
    { class: `part part-${title.toLowerCase().replace(/\W+/g, '-')}` },
    el('h3', {}, title),
    body,
  );
}

function argumentsList(args: string[] | undefined): Node {
  if (!args) return el('p', { class: 'missing' }, 'not read');
  if (args.length === 0) return el('p', { class: 'missing' }, 'none');
  return el(
    'ol',
    { class: 'args' },
    ...args.map((arg) => el('li', {}, el('code', {}, shown(arg)))),
  );
}

function environment(loaded: LoadedSnapshot, environ: Environ | undefined): Node {
  const { captured, redacted } = loaded.manifest.environ;
  if (!captured)
    return el('p', { class: 'missing' }, 'not captured (procmon snapshot --env captures it)');
  if (!environ) return el('p', { class: 'missing' }, 'not read');
  const table = el('table', { class: 'environ' });
  for (const [name, value] of environ) {
    const isRedacted = value === REDACTED;
    table.append(
      el(
        'tr',
        isRedacted ? { class: 'redacted' } : {},
        el('th', {}, shown(name)),
        el(
          'td',
          {},
          isRedacted
            ? el('em', { title: `redacted: the name matches ${redacted.join(', ')}` }, 'redacted')
            : shown(value),
        ),
      ),
    );
  }
  return table;
}

function descriptors(list: Descriptor[] | undefined): Node {
  if (!list) return el('p', { class: 'missing' }, 'not read');
  if (list.length === 0) return el('p', { class: 'missing' }, 'none');
  const table = el(
    'table',
    { class: 'descriptors' },
    el('tr', {}, el('th', {}, 'fd'), el('th', {}, 'type'), el('th', {}, 'target')),
  );
  for (const descriptor of list) {
    const target = descriptor.target;
    const text = target
      ? shown(targetText(target))
      : `unreadable: ${shown(descriptor.failure?.message ?? '')}`;
    // netsock's connection text escapes the names it holds already.
    const socket = descriptor.socket
      ? el('div', { class: 'socket' }, socketText(descriptor.socket))
      : undefined;
    table.append(
      el(
        'tr',
        {},
        el('td', {}, String(descriptor.fd)),
        el('td', {}, target?.type ?? '?'),
        el('td', {}, text, socket),
      ),
    );
  }
  return table;
}

function memory(
  extra:
    | {
        statm?: {
          bytes: { size: number; resident: number; shared: number; text: number; data: number };
        };
      }
    | undefined,
): Node {
  const statm = extra?.statm;
  if (!statm) return el('p', { class: 'missing' }, 'not read');
  const rows: Array<[string, number]> = [
    ['virtual', statm.bytes.size],
    ['resident', statm.bytes.resident],
    ['shared (file-backed)', statm.bytes.shared],
    ['text', statm.bytes.text],
    ['data + stack', statm.bytes.data],
  ];
  return el(
    'dl',
    { class: 'facts' },
    ...rows.flatMap(([name, value]) => [el('dt', {}, name), el('dd', {}, bytesText(value))]),
  );
}

function cgroup(loaded: LoadedSnapshot, pid: number): Node {
  let entries: ReturnType<typeof parseCgroup>;
  try {
    entries = parseCgroup(loaded.procfs.readFile(pid, 'cgroup'));
  } catch (error) {
    return problem(error);
  }
  const container = containerOf(entries.map((entry) => entry.path));
  return el(
    'div',
    {},
    el(
      'ul',
      { class: 'cgroups' },
      ...entries.map((entry) =>
        el(
          'li',
          {},
          el(
            'code',
            {},
            shown(`${entry.hierarchyId}:${entry.controllers.join(',')}:${entry.path}`),
          ),
        ),
      ),
    ),
    container
      ? el('p', { class: 'container' }, `container: ${container.runtime} ${shown(container.id)}`)
      : el('p', { class: 'missing' }, 'no container'),
  );
}
