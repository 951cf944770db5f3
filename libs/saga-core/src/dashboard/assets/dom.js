// @ts-check
/** Small DOM helpers: every text goes in as text, never as markup. */

/**
 * An element with attributes and children; strings become text nodes.
 * @param {string} tag
 * @param {Record<string, string | boolean | undefined | ((event: Event) => void)>} [attrs]
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

/**
 * Replaces an element's children.
 * @param {Element} element
 * @param {...(Node | string)} children
 */
export function fill(element, ...children) {
  element.replaceChildren(...children);
}

/**
 * An SVG drawn by the server, parsed as SVG (its scripts never run) and adopted.
 * @param {string} markup
 * @returns {Node}
 */
export function svg(markup) {
  const parsed = new DOMParser().parseFromString(markup, 'image/svg+xml');
  return document.importNode(parsed.documentElement, true);
}

/** @param {string} status */
export function statusBadge(status) {
  return h('span', { class: `status status-${status.toLowerCase()}` }, status);
}

/** @param {string | null} iso */
export function time(iso) {
  if (!iso) return '–';
  const at = new Date(iso);
  return `${at.toLocaleDateString()} ${at.toLocaleTimeString()}`;
}

/** @param {number} ms */
export function duration(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/**
 * A message for the page, in place of content that could not load.
 * @param {unknown} error
 */
export function problem(error) {
  const text = error instanceof Error ? error.message : String(error);
  return h('p', { class: 'problem', role: 'alert' }, text);
}
