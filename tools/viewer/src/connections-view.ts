// The connection table: every socket of the snapshot's tables (those of the capturing process's
// network namespace) with the processes that held it, read from their descriptors. Unix sockets
// are many and mostly unnamed: they are listed when asked for.
import type { Connection } from '@procmon/process';
import { endpointText } from './describe.js';
import { clear, el, shown } from './dom.js';
import type { LoadedSnapshot } from './load.js';

export function connectionsView(
  loaded: LoadedSnapshot,
  onSelect: (pid: number) => void,
): HTMLElement {
  const panel = el('section', { class: 'panel connections', id: 'connections' });
  let report: ReturnType<LoadedSnapshot['connections']>;
  try {
    report = loaded.connections();
  } catch (error) {
    panel.append(
      el('p', { class: 'problem' }, shown(error instanceof Error ? error.message : String(error))),
    );
    return panel;
  }
  const withUnix = el('input', { id: 'show-unix' });
  withUnix.type = 'checkbox';
  const table = el('table', { class: 'connection-table' });
  const render = () => {
    clear(table);
    table.append(
      el(
        'tr',
        {},
        ...['proto', 'state', 'local', 'remote', 'holders'].map((name) => el('th', {}, name)),
      ),
    );
    for (const connection of report.connections) {
      if (connection.socket.family === 'unix' && !withUnix.checked) continue;
      table.append(connectionRow(connection));
    }
  };
  withUnix.addEventListener('change', render);
  table.addEventListener('click', (event) => {
    const holder = (event.target as Element).closest<HTMLElement>('[data-holder]');
    if (holder) onSelect(Number(holder.dataset.holder));
  });
  render();
  panel.append(el('div', { class: 'toolbar' }, el('label', {}, withUnix, ' unix sockets too')));
  if (report.unreadable.length > 0) {
    panel.append(
      el(
        'p',
        { class: 'missing' },
        `Descriptors unreadable at capture time (their sockets show no holder): ${report.unreadable.join(', ')}`,
      ),
    );
  }
  panel.append(table);
  return panel;
}

function connectionRow(connection: Connection): HTMLElement {
  const { socket, holders } = connection;
  const protocol = socket.family === 'inet6' ? `${socket.protocol}6` : socket.protocol;
  const holderList = el(
    'span',
    { class: 'holders' },
    ...holders.map((holder) =>
      el(
        'a',
        { class: 'holder', data: { holder: String(holder.pid) }, title: `fd ${holder.fd}` },
        `${holder.pid} ${shown(holder.comm)} (fd ${holder.fd})`,
      ),
    ),
  );
  return el(
    'tr',
    { data: { inode: String(socket.inode) } },
    el('td', {}, protocol),
    el('td', {}, socket.state),
    el('td', {}, shown(endpointText(socket, 'local'))),
    el('td', {}, shown(endpointText(socket, 'remote'))),
    el('td', {}, holderList),
  );
}
