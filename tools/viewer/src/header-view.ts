// The snapshot's manifest, in one line of facts: host, kernel, when it was taken, how many
// processes, whether environments were captured.
import { el, shown } from './dom.js';
import type { LoadedSnapshot } from './load.js';

export function headerView(loaded: LoadedSnapshot): HTMLElement {
  const { manifest } = loaded;
  const environ = manifest.environ.captured
    ? `captured, redacted: ${manifest.environ.redacted.join(', ') || 'nothing'}`
    : 'not captured';
  const facts: Array<[string, string]> = [
    ['file', shown(loaded.fileName)],
    ['host', shown(manifest.hostname)],
    ['kernel', shown(manifest.kernel)],
    ['taken at', manifest.takenAt],
    ['processes', String(loaded.processes.length)],
    ['vanished during capture', String(manifest.vanished.length)],
    ['failed reads', String(manifest.failures.length)],
    ['environment', shown(environ)],
  ];
  return el(
    'dl',
    { class: 'manifest-facts' },
    ...facts.flatMap(([name, value]) => [
      el('dt', {}, name),
      el('dd', { data: { fact: name } }, value),
    ]),
  );
}
