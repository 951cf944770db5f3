// @ts-check
import { get, post } from './api.js';
import { duration, fill, h, problem, statusBadge, svg, time } from './dom.js';

/**
 * The Run page: header, operator actions, steps, timeline, sequence diagram and audit log,
 * refreshed whenever this saga changes.
 * @param {HTMLElement} main
 * @param {import('./app.js').Context} context
 * @param {string} id
 * @returns {import('./app.js').Page}
 */
export function renderRun(main, { session }, id) {
  let disposed = false;
  const load = async () => {
    try {
      const detail = await get(`runs/${encodeURIComponent(id)}`);
      if (!disposed) fill(main, ...view(detail, session, load));
    } catch (error) {
      if (!disposed) fill(main, h('p', {}, h('a', { href: '#/runs' }, '← Runs')), problem(error));
    }
  };
  void load();
  return {
    onChange: (change) => {
      if (change.sagaId === id) void load();
    },
    dispose: () => {
      disposed = true;
    },
  };
}

/**
 * @param {any} detail
 * @param {import('./app.js').Session} session
 * @param {() => Promise<void>} reload
 */
function view(detail, session, reload) {
  const run = detail.run;
  const labels = Object.entries(run.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return [
    h('p', {}, h('a', { href: '#/runs' }, '← Runs')),
    h(
      'section',
      { class: 'run-header', id: 'run-header', 'data-status': run.status },
      h('h2', {}, h('span', { class: 'mono' }, run.id), ' ', statusBadge(run.status)),
      h(
        'dl',
        {},
        h('dt', {}, 'Definition'),
        h('dd', { id: 'run-definition' }, `${run.definition.name}@${run.definition.version}`),
        h('dt', {}, 'Labels'),
        h('dd', {}, labels || '–'),
        h('dt', {}, 'Started'),
        h('dd', {}, time(run.createdAt)),
        h('dt', {}, run.status === 'PENDING' ? 'Running for' : 'Took'),
        h('dd', {}, duration(run.durationMs)),
        h('dt', {}, 'Failure'),
        h('dd', { id: 'run-failure' }, run.failureReason ?? '–'),
      ),
      actions(run, detail.actions, session, reload),
    ),
    h('h3', {}, 'Steps'),
    stepsTable(run.steps),
    h('h3', {}, 'Timeline'),
    h(
      'p',
      { class: 'legend' },
      legend('completed', 'work done'),
      legend('failed', 'failed'),
      legend('compensated', 'undone'),
      legend('running', 'running'),
      ' ▍ a retry',
    ),
    h('figure', { id: 'timeline', class: 'diagram' }, svg(detail.timelineSvg)),
    h('h3', {}, 'Sequence'),
    h('figure', { id: 'sequence', class: 'diagram' }, svg(detail.sequenceSvg)),
    h('h3', {}, 'Audit log'),
    auditTable(detail.audit),
    h('details', {}, h('summary', {}, 'Data'), h('pre', {}, JSON.stringify(detail.data, null, 2))),
  ];
}

/**
 * @param {string} kind
 * @param {string} text
 */
function legend(kind, text) {
  return h('span', { class: `swatch ${kind}` }, text);
}

/**
 * Cancel and Retry compensation: each asks for a reason, and says why when it cannot be used.
 * @param {any} run
 * @param {{ cancel: { allowed: boolean, why: string | null },
 *   retryCompensation: { allowed: boolean, why: string | null } }} allowed
 * @param {import('./app.js').Session} session
 * @param {() => Promise<void>} reload
 */
function actions(run, allowed, session, reload) {
  const noKey = !session.operatorActionsEnabled
    ? 'operator actions are off: no operator key is configured'
    : session.role !== 'operator'
      ? 'enter an operator key to act'
      : null;
  const box = h('div', { class: 'actions' });
  const form = h('div', { class: 'action-form' });
  /**
   * @param {string} name
   * @param {string} label
   * @param {{ allowed: boolean, why: string | null }} action
   * @param {string} path
   */
  const button = (name, label, action, path) => {
    const why = !action.allowed ? action.why : noKey;
    const control = h(
      'button',
      { type: 'button', id: `${name}-button`, disabled: why !== null, title: why ?? undefined },
      label,
    );
    control.addEventListener('click', () => fill(form, reasonForm(label, path, reload)));
    return h(
      'span',
      { class: 'action' },
      control,
      why ? h('small', { id: `${name}-why`, class: 'why' }, why) : null,
    );
  };
  fill(
    box,
    button('cancel', 'Cancel…', allowed.cancel, `runs/${run.id}/cancel`),
    button(
      'retry',
      'Retry compensation…',
      allowed.retryCompensation,
      `runs/${run.id}/retry-compensation`,
    ),
    form,
  );
  return box;
}

/**
 * @param {string} label
 * @param {string} path
 * @param {() => Promise<void>} reload
 */
export function reasonForm(label, path, reload, extra = {}) {
  const reason = /** @type {HTMLInputElement} */ (
    h('input', {
      name: 'reason',
      required: true,
      placeholder: 'why (written to the audit log)',
      size: '40',
    })
  );
  const message = h('span', { class: 'why' });
  const form = h(
    'form',
    { class: 'reason' },
    reason,
    h('button', { type: 'submit' }, `Confirm ${label.replace('…', '').toLowerCase()}`),
    message,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await post(path, { ...extra, reason: reason.value.trim() });
      form.remove();
      await reload();
    } catch (error) {
      message.textContent = error instanceof Error ? error.message : String(error);
    }
  });
  queueMicrotask(() => reason.focus());
  return form;
}

/** @param {any[]} steps */
function stepsTable(steps) {
  return h(
    'table',
    { id: 'steps' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Step', 'Status', 'Attempts', 'Undo attempts', 'Started', 'Ended', 'Last error'].map(
          (t) => h('th', {}, t),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...steps.map((s) =>
        h(
          'tr',
          { 'data-step': s.name, 'data-status': s.status },
          h('td', {}, s.name),
          h('td', {}, statusBadge(s.status)),
          h('td', {}, String(s.attempts)),
          h('td', {}, String(s.compensationAttempts)),
          h('td', {}, time(s.startedAt)),
          h('td', {}, time(s.endedAt)),
          h('td', { class: 'reason' }, s.lastError ?? ''),
        ),
      ),
    ),
  );
}

/** @param {{ at: string, type: string, step: string | null, detail: Record<string, unknown> }[]} audit */
function auditTable(audit) {
  const t0 = audit.length > 0 ? Date.parse(audit[0].at) : 0;
  return h(
    'table',
    { id: 'audit', class: 'audit' },
    h(
      'thead',
      {},
      h('tr', {}, ...['+ms', 'At', 'Type', 'Step', 'Detail'].map((t) => h('th', {}, t))),
    ),
    h(
      'tbody',
      {},
      ...audit.map((line) =>
        h(
          'tr',
          { 'data-type': line.type, 'data-step': line.step ?? '' },
          h('td', { class: 'num' }, String(Date.parse(line.at) - t0)),
          h('td', {}, time(line.at)),
          h('td', { class: 'mono' }, line.type),
          h('td', {}, line.step ?? ''),
          h(
            'td',
            {},
            h(
              'details',
              {},
              h('summary', {}, summary(line.detail)),
              h('pre', {}, JSON.stringify(line.detail, null, 2)),
            ),
          ),
        ),
      ),
    ),
  );
}

/** @param {Record<string, unknown>} detail */
function summary(detail) {
  const keys = ['command', 'reply', 'event', 'outcome', 'reason', 'operator', 'attempt'];
  const parts = keys
    .filter((k) => detail[k] !== undefined)
    .map((k) => `${k}: ${String(detail[k])}`);
  return parts.join(' · ') || 'details';
}
