// @ts-check
import { get } from './api.js';
import { fill, h, problem } from './dom.js';
import { reasonForm } from './run-page.js';

const REFRESH_MS = 5_000;

/**
 * The System page: each app's health, this app's outbox and inbox, dead letters by queue
 * (moved back by an operator), and the fault rules in force. Read again every few seconds.
 * @param {HTMLElement} main
 * @param {import('./app.js').Context} context
 * @returns {import('./app.js').Page}
 */
export function renderSystem(main, { session }) {
  let disposed = false;
  const content = h('div', { id: 'system' }, h('p', { class: 'muted' }, 'Loading…'));
  const stamp = h('span', { class: 'muted' });
  fill(main, h('h2', {}, 'System ', stamp), content);
  const canAct = session.role === 'operator';
  /** While an operator types a reason, the page is not redrawn under them. */
  let typing = false;
  const load = async () => {
    if (typing) return;
    try {
      const state = await get('system');
      if (disposed || typing) return;
      stamp.textContent = `as of ${new Date().toLocaleTimeString()}`;
      fill(content, ...view(state, canAct, load, (on) => (typing = on)));
    } catch (error) {
      if (!disposed) fill(content, problem(error));
    }
  };
  void load();
  const timer = setInterval(() => void load(), REFRESH_MS);
  return {
    dispose: () => {
      disposed = true;
      clearInterval(timer);
    },
  };
}

/**
 * @param {any} state
 * @param {boolean} canAct
 * @param {() => Promise<void>} reload
 * @param {(typing: boolean) => void} setTyping
 */
function view(state, canAct, reload, setTyping) {
  const m = state.messaging;
  return [
    h('h3', {}, 'Apps'),
    h(
      'table',
      { id: 'apps' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'App'),
          h('th', {}, 'URL'),
          h('th', {}, 'Health'),
          h('th', {}, 'Detail'),
        ),
      ),
      h(
        'tbody',
        {},
        ...state.apps.map((/** @type {any} */ app) =>
          h(
            'tr',
            { 'data-app': app.name, 'data-health': app.status },
            h('td', {}, app.name),
            h('td', { class: 'mono' }, app.url ?? '(this app)'),
            h('td', {}, h('span', { class: `health health-${app.status}` }, app.status)),
            h(
              'td',
              {},
              h(
                'details',
                {},
                h('summary', {}, 'health'),
                h('pre', {}, JSON.stringify(app.detail, null, 2)),
              ),
            ),
          ),
        ),
      ),
    ),
    h('h3', {}, `Messaging of ${m.service}`),
    h(
      'dl',
      { id: 'messaging', class: 'figures' },
      h('dt', {}, 'Outbox backlog'),
      h('dd', {}, String(m.outboxPending)),
      h('dt', {}, 'Oldest unsent'),
      h(
        'dd',
        {},
        m.outboxOldestAgeSeconds === null ? '–' : `${m.outboxOldestAgeSeconds.toFixed(1)} s`,
      ),
      h('dt', {}, 'Inbox rows'),
      h('dd', {}, `${m.inboxRowsCapped ? '≥ ' : ''}${m.inboxRows}`),
    ),
    h('h3', {}, 'Dead letters'),
    h(
      'table',
      { id: 'dead-letters' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Queue'),
          h('th', {}, 'Depth'),
          h('th', {}, 'Reasons'),
          h('th', {}, 'Messages'),
          h('th', {}, ''),
        ),
      ),
      h(
        'tbody',
        {},
        ...state.deadLetters.map((/** @type {any} */ q) =>
          deadLetterRow(q, canAct, reload, setTyping),
        ),
      ),
    ),
    h('h3', {}, 'Fault rules'),
    h(
      'table',
      { id: 'faults' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Service'), h('th', {}, 'Rules in force'))),
      h(
        'tbody',
        {},
        ...state.faults.map((/** @type {any} */ f) =>
          h(
            'tr',
            { 'data-service': f.service },
            h('td', {}, f.service),
            h(
              'td',
              {},
              f.rules === null
                ? h('span', { class: 'muted' }, f.note)
                : f.rules.length === 0
                  ? h('span', { class: 'muted' }, 'none')
                  : h(
                      'ul',
                      {},
                      ...f.rules.map((/** @type {any} */ r) =>
                        h(
                          'li',
                          { class: 'mono' },
                          `${r.id} ${r.match} → ${r.action}${r.remaining === null ? '' : ` (${r.remaining} left)`}, ${r.hits} hits`,
                        ),
                      ),
                    ),
            ),
          ),
        ),
      ),
    ),
  ];
}

/**
 * @param {any} q
 * @param {boolean} canAct
 * @param {() => Promise<void>} reload
 * @param {(typing: boolean) => void} setTyping
 */
function deadLetterRow(q, canAct, reload, setTyping) {
  const reasons = Object.entries(q.reasons)
    .map(([r, n]) => `${r} ×${n}`)
    .join(', ');
  const slot = h('div', {});
  const done = async () => {
    setTyping(false);
    await reload();
  };
  const move = h(
    'button',
    {
      type: 'button',
      class: 'move',
      disabled: !canAct || !q.depth,
      title: canAct ? undefined : 'enter an operator key to act',
    },
    'Move back…',
  );
  move.addEventListener('click', () => {
    setTyping(true);
    fill(slot, reasonForm('Move back…', `dead-letters/${encodeURIComponent(q.queue)}/move`, done));
  });
  const messages = q.messages.map((/** @type {any} */ d) =>
    h(
      'li',
      { 'data-message-id': d.messageId ?? '' },
      h('span', { class: 'mono' }, d.type ?? '(no type)'),
      ` ${d.reason}`,
      d.sagaId
        ? h('a', { href: `#/runs/${d.sagaId}`, class: 'mono' }, ` saga ${d.sagaId.slice(0, 8)}`)
        : null,
      d.error ? h('small', { class: 'why' }, ` ${d.error}`) : null,
      h('details', {}, h('summary', {}, 'body'), h('pre', {}, d.body)),
    ),
  );
  return h(
    'tr',
    { 'data-queue': q.queue, 'data-depth': String(q.depth ?? '') },
    h('td', { class: 'mono' }, q.queue),
    h('td', { class: 'num' }, q.depth === null ? 'no queue' : String(q.depth)),
    h('td', {}, reasons || '–'),
    h('td', {}, messages.length ? h('ul', { class: 'letters' }, ...messages) : '–'),
    h('td', {}, q.depth ? move : h('span', { class: 'muted' }, 'empty'), slot),
  );
}
