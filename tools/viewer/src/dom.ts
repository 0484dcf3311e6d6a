// The one way this page puts text on screen. Every string of a snapshot was chosen by some process
// on the captured machine (its name, arguments, environment, paths, socket names), so it goes
// through `textContent` only, never through HTML parsing, and escaped first with the CLI's rule
// (`escapeText`: controls, bidi and zero-width characters, lone surrogates, which is how bytes
// that are not UTF-8 come out of the parsers, written as visible escapes).
import { escapeText } from '@procmon/parse';

type Child = Node | string | undefined | false;

/** Attributes this page sets; no `style`, no event handler attributes, no `href`. */
interface Attributes {
  class?: string;
  id?: string;
  title?: string;
  /** `data-*` attributes, by the name after `data-`. */
  data?: Record<string, string>;
}

/** An element with its attributes and children; strings become text nodes, as they are. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (attributes.class) node.className = attributes.class;
  if (attributes.id) node.id = attributes.id;
  if (attributes.title !== undefined) node.title = attributes.title;
  for (const [name, value] of Object.entries(attributes.data ?? {})) node.dataset[name] = value;
  for (const child of children) {
    if (child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** Text a process controls, escaped for people (see the file's comment). */
export function shown(text: string): string {
  return escapeText(text);
}

/** A span of process-controlled text, escaped, with the class that marks it as such. */
export function data(text: string, className = 'data'): HTMLSpanElement {
  return el('span', { class: className }, shown(text));
}

/** Removes every child of `node`. */
export function clear(node: Element): void {
  node.replaceChildren();
}
