// @ts-check
import { apiKey, follow, get, setApiKey } from './api.js';
import { fill, problem } from './dom.js';
import { renderRun } from './run-page.js';
import { renderRuns } from './runs-page.js';
import { renderSystem } from './system-page.js';

/**
 * @typedef {{ role: string, operator: string | null, readKeyRequired: boolean,
 *   operatorActionsEnabled: boolean }} Session
 * @typedef {{ title: string, statuses: string[],
 *   labels: { key: string, title: string, values: string[] | null }[],
 *   dataFields: { name: string, title: string }[],
 *   definitions: { name: string, versions: number[], style: string }[] }} Config
 * @typedef {{ session: Session, config: Config }} Context
 * @typedef {{ onChange?: (change: { sagaId: string, status: string }) => void,
 *   dispose?: () => void }} Page
 */

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const live = /** @type {HTMLElement} */ (document.getElementById('live'));
const who = /** @type {HTMLElement} */ (document.getElementById('who'));
const keyForm = /** @type {HTMLFormElement} */ (document.getElementById('key-form'));
const keyInput = /** @type {HTMLInputElement} */ (document.getElementById('api-key'));

/** @type {Page} */
let page = {};
/** @type {Context | null} */
let context = null;
/** @type {(() => void) | null} */
let stopFollowing = null;

keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  setApiKey(keyInput.value.trim());
  keyInput.value = '';
  void start();
});
window.addEventListener('hashchange', () => show());

/** Asks who the key makes us, then shows the page the address names, and follows changes. */
async function start() {
  stopFollowing?.();
  stopFollowing = null;
  try {
    /** @type {Session} */
    const session = await get('session');
    who.textContent = describe(session);
    if (session.role === 'none') {
      context = null;
      page.dispose?.();
      page = {};
      fill(main, problem('Enter the read key or an operator key to see the sagas.'));
      return;
    }
    const config = await get('config');
    context = { session, config };
    document.title = config.title;
    fill(/** @type {HTMLElement} */ (document.getElementById('title')), config.title);
    stopFollowing = follow(
      (type, data) => {
        if (type === 'change') page.onChange?.(data);
      },
      (connected) => {
        live.textContent = connected ? 'live' : 'offline';
        live.className = connected ? 'live on' : 'live off';
      },
    );
    show();
  } catch (error) {
    fill(main, problem(error));
  }
}

/** @param {Session} session */
function describe(session) {
  if (session.role === 'operator') return `operator ${session.operator}`;
  if (session.role === 'reader') return 'read key';
  if (session.role === 'open')
    return apiKey() ? 'key not recognised: reads are open' : 'reads are open';
  return apiKey() ? 'key not recognised' : 'no key';
}

function show() {
  if (!context) return;
  page.dispose?.();
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  const params = new URLSearchParams(query);
  for (const link of document.querySelectorAll('nav a')) {
    const name = link.getAttribute('data-page');
    link.classList.toggle('current', name === (parts[0] ?? 'runs') && parts.length <= 1);
  }
  if (parts[0] === 'runs' && parts[1]) page = renderRun(main, context, parts[1]);
  else if (parts[0] === 'system') page = renderSystem(main, context);
  else page = renderRuns(main, context, params, parts[0] === 'attention');
}

void start();
