// The diff of two snapshots: processes started and gone, listeners new and gone (diff-source.ts
// says how they are told apart).

import type { DiffListener, DiffProcess, ViewerDiff } from './diff-source.js';
import { el, shown } from './dom.js';

export function diffView(diff: ViewerDiff, beforeName: string, afterName: string): HTMLElement {
  return el(
    'section',
    { class: 'panel diff', id: 'diff' },
    el('h2', {}, `From ${shown(beforeName)} to ${shown(afterName)}`),
    el('p', { class: 'missing' }, `diff: ${diff.source}`),
    processes('Started', 'started', diff.started),
    processes('Gone', 'gone', diff.gone),
    listeners('New listeners', 'new-listeners', diff.newListeners),
    listeners('Gone listeners', 'gone-listeners', diff.goneListeners),
  );
}

function processes(title: string, id: string, list: DiffProcess[]): HTMLElement {
  return el(
    'section',
    { class: 'part', id: `diff-${id}` },
    el('h3', {}, `${title} (${list.length})`),
    el(
      'ul',
      {},
      ...list.map((process) =>
        el(
          'li',
          { data: { pid: String(process.pid) } },
          `${process.pid} ${shown(process.comm)} `,
          el('code', {}, shown(process.command)),
        ),
      ),
    ),
  );
}

function listeners(title: string, id: string, list: DiffListener[]): HTMLElement {
  return el(
    'section',
    { class: 'part', id: `diff-${id}` },
    el('h3', {}, `${title} (${list.length})`),
    el(
      'ul',
      {},
      ...list.map((listener) => {
        const host = listener.protocol.endsWith('6') ? `[${listener.address}]` : listener.address;
        const held = listener.holders.length > 0 ? ` held by ${listener.holders.join(', ')}` : '';
        return el('li', {}, `${listener.protocol} ${host}:${listener.port}${held}`);
      }),
    ),
  );
}
