// The process tree panel: a search box and nested lists, each process a row (pid, name, user,
// command) with a button that folds its children. One click handler for the whole tree (rows are
// found by their data-pid), so a tree of thousands of processes costs one listener.
import type { ScannedProcess } from '@procmon/process';
import { clear, el, shown } from './dom.js';
import type { LoadedSnapshot } from './load.js';
import { buildTree, type ProcessTree, visiblePids } from './tree-model.js';

export interface TreeView {
  element: HTMLElement;
  /** Shows only the matches of `query` and their ancestors (all when empty). */
  search(query: string): void;
}

export function treeView(loaded: LoadedSnapshot, onSelect: (pid: number) => void): TreeView {
  const tree = buildTree(loaded.processes);
  const input = el('input', { id: 'tree-search', title: 'pid, name, path or arguments; uid:N' });
  input.type = 'search';
  input.placeholder = 'Search: pid, name, path, args, uid:N';
  const count = el('span', { class: 'count' });
  const list = el('div', { class: 'tree', id: 'tree' });
  const element = el(
    'section',
    { class: 'panel tree-panel' },
    el('div', { class: 'toolbar' }, input, count),
    list,
  );

  // Per render: the pids already placed (a loop of parents cannot place one twice), and the
  // folded processes whose children are built only when unfolded.
  let built: Built = { placed: new Set(), pending: new Map() };
  const render = (query: string) => {
    const visible = visiblePids(loaded.processes, loaded.byPid, query, (pid) => loaded.uidOf(pid));
    clear(list);
    built = { placed: new Set(), pending: new Map() };
    list.append(branch(tree, tree.roots, visible, built));
    count.textContent = visible
      ? `${visible.size} shown (matches and their parents) of ${loaded.processes.length}`
      : `${loaded.processes.length} processes`;
  };

  input.addEventListener('input', () => render(input.value));
  list.addEventListener('click', (event) => {
    const target = event.target as Element;
    const item = target.closest<HTMLElement>('li[data-pid]');
    if (!item) return;
    if (target.closest('button.fold')) {
      const pending = built.pending.get(item);
      if (pending) {
        built.pending.delete(item);
        item.append(branch(tree, pending, undefined, built));
      }
      item.classList.toggle('folded');
      const button = target.closest('button.fold') as HTMLButtonElement;
      button.textContent = item.classList.contains('folded') ? '▸' : '▾';
      button.setAttribute('aria-expanded', String(!item.classList.contains('folded')));
      return;
    }
    for (const selected of list.querySelectorAll('.row.selected'))
      selected.classList.remove('selected');
    item.querySelector(':scope > .row')?.classList.add('selected');
    onSelect(Number(item.dataset.pid));
  });

  render('');
  return {
    element,
    search(query) {
      input.value = query;
      render(query);
    },
  };
}

/** What one render of the tree has built (see treeView). */
interface Built {
  placed: Set<number>;
  pending: Map<HTMLElement, readonly ScannedProcess[]>;
}

/**
 * Children past this many start folded, built when unfolded: a shell with a thousand children
 * would otherwise be most of the tree, and most of the time it takes to show (a search shows its
 * matches unfolded whatever their number).
 */
const FOLD_ABOVE = 32;

/** A list of processes with their subtrees, built depth first without recursion limits. */
function branch(
  tree: ProcessTree,
  processes: readonly ScannedProcess[],
  visible: Set<number> | undefined,
  built: Built,
): HTMLUListElement {
  const top = el('ul', { class: 'branch' });
  // An explicit stack: a hostile snapshot could nest processes deeper than the call stack.
  const stack: Array<{ list: HTMLUListElement; items: readonly ScannedProcess[]; next: number }> = [
    { list: top, items: processes, next: 0 },
  ];
  const { placed } = built;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as (typeof stack)[number];
    if (frame.next >= frame.items.length) {
      stack.pop();
      continue;
    }
    const process = frame.items[frame.next++] as ScannedProcess;
    if (visible && !visible.has(process.pid)) continue;
    if (placed.has(process.pid)) continue;
    placed.add(process.pid);
    const children = (tree.children.get(process.pid) ?? []).filter(
      (child) => !visible || visible.has(child.pid),
    );
    const item = el(
      'li',
      { data: { pid: String(process.pid) } },
      row(process, children.length > 0),
    );
    frame.list.append(item);
    if (!visible && children.length > FOLD_ABOVE) {
      item.classList.add('folded');
      const fold = item.querySelector(':scope > .row > .fold') as HTMLElement;
      fold.textContent = '▸';
      fold.setAttribute('aria-expanded', 'false');
      item.firstElementChild?.append(
        el('span', { class: 'folded-count' }, `${children.length} children`),
      );
      built.pending.set(item, children);
    } else if (children.length > 0) {
      const sublist = el('ul', { class: 'branch' });
      item.append(sublist);
      stack.push({ list: sublist, items: children, next: 0 });
    }
  }
  return top;
}

// Rows are clones of one template (cheaper than building each element): fold button or spacer,
// pid, name, command.
let rowTemplates: { parent: HTMLElement; leaf: HTMLElement } | undefined;

function row(process: ScannedProcess, hasChildren: boolean): HTMLElement {
  rowTemplates ??= {
    parent: el(
      'div',
      { class: 'row' },
      el('button', { class: 'fold', title: 'Fold or unfold the children' }, '▾'),
      el('span', { class: 'pid' }),
      el('span', { class: 'comm' }),
      el('span', { class: 'command' }),
    ),
    leaf: el(
      'div',
      { class: 'row' },
      el('span', { class: 'fold-space' }),
      el('span', { class: 'pid' }),
      el('span', { class: 'comm' }),
      el('span', { class: 'command' }),
    ),
  };
  rowTemplates.parent.firstElementChild?.setAttribute('aria-expanded', 'true');
  const node = (hasChildren ? rowTemplates.parent : rowTemplates.leaf).cloneNode(
    true,
  ) as HTMLElement;
  if (process.gone) node.classList.add('gone');
  const [, pid, comm, command] = node.children as unknown as [Element, Element, Element, Element];
  pid.textContent = String(process.pid);
  comm.textContent = shown(process.comm);
  command.textContent = shown(process.command ?? process.path ?? '');
  return node;
}
