// The diff of two snapshots, as @procmon/snapshot's `diffSnapshots(before, after)` gives it (the
// same diff as `procmon diff`), every group in the order diff-model.ts lists them. A process of
// the after-snapshot opens its details when clicked, as the connection table's holders do.
import { diffSnapshots, type SnapshotDiff, type SnapshotSide } from '@procmon/snapshot/read';
import { type DiffPart, type DiffSection, diffSections, type InAfter } from './diff-model.js';
import { el, shown } from './dom.js';
import type { LoadedSnapshot } from './load.js';

export function diffView(
  before: LoadedSnapshot,
  after: LoadedSnapshot,
  onSelect: (pid: number) => void,
): HTMLElement {
  const panel = el(
    'section',
    { class: 'panel diff', id: 'diff' },
    el('h2', {}, `From ${shown(before.fileName)} to ${shown(after.fileName)}`),
  );
  let diff: SnapshotDiff;
  try {
    diff = diffSnapshots(before.snapshot, after.snapshot);
  } catch (error) {
    // A stat or socket table that does not parse: a SnapshotError naming the member.
    panel.append(
      el('p', { class: 'problem' }, shown(error instanceof Error ? error.message : String(error))),
    );
    return panel;
  }
  panel.append(
    el('p', { class: 'missing sides' }, `${sideText(diff.before)} to ${sideText(diff.after)}`),
    ...diffSections(diff, inAfter(after)).map(sectionView),
  );
  panel.addEventListener('click', (event) => {
    const holder = (event.target as Element).closest<HTMLElement>('[data-holder]');
    if (holder) onSelect(Number(holder.dataset.holder));
  });
  return panel;
}

/** Same pid and same start time in the after-snapshot: the same process, whose details exist. */
const inAfter =
  (after: LoadedSnapshot): InAfter =>
  (process) =>
    after.byPid.get(process.pid)?.startTime === process.startTime;

function sideText(side: SnapshotSide): string {
  return `${shown(side.hostname)} at ${shown(side.takenAt)}`;
}

function sectionView(section: DiffSection): HTMLElement {
  const count = section.notCompared === undefined ? String(section.items.length) : 'not compared';
  return el(
    'section',
    { class: 'part', id: `diff-${section.id}` },
    el('h3', {}, `${section.title} (${count})`),
    section.notCompared !== undefined && el('p', { class: 'missing' }, section.notCompared),
    el(
      'ul',
      {},
      ...section.items.map((item) =>
        el(
          'li',
          item.pid === undefined ? {} : { data: { pid: String(item.pid) } },
          ...item.parts.map(partView),
        ),
      ),
    ),
  );
}

function partView(part: DiffPart): Node {
  if (typeof part === 'string') return document.createTextNode(shown(part));
  if ('code' in part) return el('code', {}, shown(part.code));
  const { process, opens } = part;
  const text = `${process.pid} ${shown(process.comm)}`;
  // Only a process of the after-snapshot: the page's details are that snapshot's.
  if (opens) {
    return el(
      'a',
      { class: 'holder', data: { holder: String(process.pid) }, title: 'open its details' },
      text,
    );
  }
  return el('span', { class: 'process', title: 'not in the second snapshot' }, text);
}
