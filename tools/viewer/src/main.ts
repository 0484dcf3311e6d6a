// The page: open one snapshot (the tree, a process's details, the connections) or two (their
// diff, and the second one's tree), from the file picker, a drop, or the URLs `procmon view`
// passes as `?snapshot=/snapshot/0`. Everything is read in the page; nothing is sent anywhere.
// Once the tree is on screen, <body data-ready> is set and the mark `procmon:tree-shown` is made
// (tests and the bench wait for them); `procmon:open-start` is when the files were given, and
// `procmon:snapshot-read` and `procmon:scanned` (load.ts) split the time between them.
import { SnapshotError } from '@procmon/snapshot/read';
import { connectionsView } from './connections-view.js';
import { detailsView } from './details-view.js';
import { diffOf } from './diff-source.js';
import { diffView } from './diff-view.js';
import { clear, el, shown } from './dom.js';
import { headerView } from './header-view.js';
import { type LoadedSnapshot, loadSnapshot } from './load.js';
import { treeView } from './tree-view.js';

const content = document.getElementById('content') as HTMLElement;
const errorBox = document.getElementById('error') as HTMLElement;
const manifestBox = document.getElementById('manifest') as HTMLElement;
const tabs = document.getElementById('tabs') as HTMLElement;
const input = document.getElementById('file-input') as HTMLInputElement;

/** A snapshot to open: its name and a way to get its bytes. */
interface Source {
  name: string;
  bytes(): Promise<Uint8Array>;
}

async function open(sources: Source[]): Promise<void> {
  performance.clearMarks();
  performance.mark('procmon:open-start');
  delete document.body.dataset.ready;
  document.body.dataset.state = 'loading';
  errorBox.hidden = true;
  clear(content);
  clear(tabs);
  manifestBox.hidden = true;
  try {
    if (sources.length === 0 || sources.length > 2) {
      throw new Error(`open one snapshot, or two to see their diff (got ${sources.length} files)`);
    }
    const loaded: LoadedSnapshot[] = [];
    for (const source of sources) {
      try {
        loaded.push(await loadSnapshot(source.name, await source.bytes()));
      } catch (error) {
        throw new OpenError(source.name, error);
      }
    }
    show(loaded);
    // Until the frame with the tree is painted: a timer queued from requestAnimationFrame runs
    // after that frame's style, layout and paint.
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    document.body.dataset.state = 'shown';
    document.body.dataset.ready = 'true';
    performance.mark('procmon:tree-shown');
  } catch (error) {
    showError(error);
  }
}

/** An error while opening one of the files, naming the file. */
class OpenError extends Error {
  constructor(
    readonly fileName: string,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

function showError(error: unknown): void {
  document.body.dataset.state = 'error';
  const fileName = error instanceof OpenError ? error.fileName : undefined;
  const cause = error instanceof OpenError ? error.cause : error;
  const kind =
    cause instanceof SnapshotError
      ? `not a snapshot this page can open (${cause.reason})`
      : 'could not be opened';
  clear(errorBox);
  errorBox.append(
    el('strong', {}, fileName === undefined ? 'Error' : `${shown(fileName)} ${kind}`),
    el('p', { class: 'message' }, shown(cause instanceof Error ? cause.message : String(cause))),
  );
  errorBox.hidden = false;
}

function show(loaded: LoadedSnapshot[]): void {
  const current = loaded[loaded.length - 1] as LoadedSnapshot;
  clear(manifestBox);
  manifestBox.append(headerView(current));
  manifestBox.hidden = false;

  const details = el(
    'div',
    { class: 'details-slot' },
    el('p', { class: 'missing' }, 'Select a process.'),
  );
  const select = (pid: number) => {
    details.replaceChildren(detailsView(current, pid));
    choose('processes');
  };
  const tree = treeView(current, select);
  const panels: Record<string, () => HTMLElement> = {
    processes: () => el('div', { class: 'split' }, tree.element, details),
    connections: () => connectionsView(current, select),
  };
  if (loaded.length === 2) {
    const [before, after] = loaded as [LoadedSnapshot, LoadedSnapshot];
    panels.diff = () => diffView(diffOf(before, after), before.fileName, after.fileName);
  }
  // Panels are built once, when first shown (the connection table reads every descriptor).
  const built = new Map<string, HTMLElement>();
  const choose = (name: string) => {
    for (const button of tabs.querySelectorAll('button'))
      button.classList.toggle('active', button.dataset.tab === name);
    let panel = built.get(name);
    if (!panel) {
      panel = (panels[name] as () => HTMLElement)();
      built.set(name, panel);
    }
    content.replaceChildren(panel);
  };
  for (const name of Object.keys(panels)) {
    const button = el('button', { data: { tab: name } }, name);
    button.addEventListener('click', () => choose(name));
    tabs.append(button);
  }
  tabs.hidden = false;
  choose(loaded.length === 2 ? 'diff' : 'processes');
}

const fromFile = (file: File): Source => ({
  name: file.name,
  bytes: async () => new Uint8Array(await file.arrayBuffer()),
});

input.addEventListener('change', () => {
  void open([...(input.files ?? [])].map(fromFile));
});
document.addEventListener('dragover', (event) => {
  event.preventDefault();
  document.body.classList.add('dropping');
});
document.addEventListener('dragleave', () => document.body.classList.remove('dropping'));
document.addEventListener('drop', (event) => {
  event.preventDefault();
  document.body.classList.remove('dropping');
  void open([...(event.dataTransfer?.files ?? [])].map(fromFile));
});

// `procmon view` serves the snapshots at /snapshot/<n> of this same origin; nothing else is
// fetched (the policy's connect-src is 'self' too).
const served = new URLSearchParams(location.search)
  .getAll('snapshot')
  .filter((path) => /^\/snapshot\/\d+$/.test(path));
if (served.length > 0) {
  void open(
    served.map((path) => ({
      name: path,
      bytes: async () => {
        const response = await fetch(path, { credentials: 'omit' });
        if (!response.ok) throw new Error(`${path}: the server answered ${response.status}`);
        return new Uint8Array(await response.arrayBuffer());
      },
    })),
  );
}
