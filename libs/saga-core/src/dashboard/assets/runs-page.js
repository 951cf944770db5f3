// @ts-check
import { get } from './api.js';
import { duration, fill, h, problem, statusBadge, time } from './dom.js';

/** Refresh at most this often while changes keep coming. */
const REFRESH_MS = 500;

/**
 * The Runs page: counts by status (a click filters), filters, a page of sagas, older and newer
 * pages by cursor; or the "needs attention" list. Refreshed by every change of a saga.
 * @param {HTMLElement} main
 * @param {import('./app.js').Context} context
 * @param {URLSearchParams} params
 * @param {boolean} attention
 * @returns {import('./app.js').Page}
 */
export function renderRuns(main, { config }, params, attention) {
  /** @type {(string | null)[]} the cursors of the pages shown so far, the current one last */
  const cursors = [null];
  const counts = h('div', { id: 'counts', class: 'counts' });
  const table = h('div', { id: 'runs' });
  const pager = h('div', { class: 'pager' });
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let pending;
  let disposed = false;
  /** What the page last drew: a refresh that brings nothing new leaves the page alone. */
  let drawn = '';

  const filters = filterForm(config, params, (next) => {
    location.hash = `#/runs?${next}`;
  });
  fill(
    main,
    h('h2', {}, attention ? 'Needs attention' : 'Runs'),
    attention
      ? h('p', { class: 'muted' }, 'Compensation failed, or running and unchanged for a while.')
      : h('div', {}, counts, filters),
    table,
    pager,
  );

  const load = async () => {
    try {
      if (attention) {
        const runs = await get('attention');
        if (!disposed && changed(runs)) fill(table, runsTable(runs));
        return;
      }
      const query = new URLSearchParams(params);
      const after = cursors[cursors.length - 1];
      if (after) query.set('after', after);
      const result = await get(`runs?${query}`);
      if (disposed || !changed({ result, page: cursors.length })) return;
      fill(counts, ...countButtons(config.statuses, result.counts, params));
      fill(table, runsTable(result.runs));
      fill(
        pager,
        h(
          'button',
          { type: 'button', disabled: cursors.length === 1, onclick: () => page(-1) },
          '← Newer',
        ),
        h('span', { class: 'muted' }, `page ${cursors.length}`),
        h(
          'button',
          {
            type: 'button',
            disabled: !result.nextCursor,
            onclick: () => page(1, result.nextCursor),
          },
          'Older →',
        ),
      );
    } catch (error) {
      if (!disposed) fill(table, problem(error));
    }
  };
  /** @param {unknown} shown */
  const changed = (shown) => {
    const next = JSON.stringify(shown);
    if (next === drawn) return false;
    drawn = next;
    return true;
  };
  /**
   * @param {number} direction
   * @param {string | null} [cursor]
   */
  const page = (direction, cursor = null) => {
    if (direction > 0) cursors.push(cursor);
    else cursors.pop();
    void load();
  };
  void load();
  return {
    onChange: () => {
      if (pending === undefined)
        pending = setTimeout(() => ((pending = undefined), void load()), REFRESH_MS);
    },
    dispose: () => {
      disposed = true;
      clearTimeout(pending);
    },
  };
}

/**
 * @param {string[]} statuses
 * @param {Record<string, number>} counts
 * @param {URLSearchParams} params
 */
function countButtons(statuses, counts, params) {
  const current = params.get('status');
  const total = statuses.reduce((sum, s) => sum + (counts[s] ?? 0), 0);
  /**
   * @param {string | null} status
   * @param {string} label
   * @param {number} n
   */
  const button = (status, label, n) => {
    const next = new URLSearchParams(params);
    if (status) next.set('status', status);
    else next.delete('status');
    return h(
      'a',
      {
        class: `count${current === status ? ' current' : ''}${status ? ` status-${status.toLowerCase()}` : ''}`,
        href: `#/runs?${next}`,
        'data-status': status ?? 'ALL',
      },
      h('strong', {}, String(n)),
      ` ${label}`,
    );
  };
  return [button(null, 'all', total), ...statuses.map((s) => button(s, s, counts[s] ?? 0))];
}

/**
 * @param {import('./app.js').Config} config
 * @param {URLSearchParams} params
 * @param {(query: URLSearchParams) => void} apply
 */
function filterForm(config, params, apply) {
  /**
   * @param {string} name
   * @param {string} label
   * @param {HTMLElement} input
   */
  const field = (name, label, input) => {
    input.setAttribute('name', name);
    const value = params.get(name);
    if (value) /** @type {HTMLInputElement} */ (input).value = value;
    return h('label', {}, label, input);
  };
  /**
   * @param {string} name
   * @param {string} label
   * @param {string[]} values
   */
  const select = (name, label, values) =>
    field(
      name,
      label,
      h(
        'select',
        {},
        h('option', { value: '' }, 'any'),
        ...values.map((v) => h('option', { value: v }, v)),
      ),
    );
  const form = h(
    'form',
    { id: 'filters', class: 'filters' },
    field('id', 'Id', h('input', { type: 'search', placeholder: 'saga id', size: '38' })),
    select(
      'definition',
      'Definition',
      config.definitions.map((d) => d.name),
    ),
    ...config.labels.map((l) =>
      l.values
        ? select(`label.${l.key}`, l.title, l.values)
        : field(`label.${l.key}`, l.title, h('input', {})),
    ),
    ...config.dataFields.map((f) =>
      field(`data.${f.name}`, f.title, h('input', { type: 'search' })),
    ),
    field('from', 'From', h('input', { type: 'datetime-local' })),
    field('to', 'To', h('input', { type: 'datetime-local' })),
    h('button', { type: 'submit' }, 'Filter'),
    h('a', { href: '#/runs', class: 'button' }, 'Clear'),
  );
  // The inputs show local time; the API takes ISO times.
  for (const name of ['from', 'to']) {
    const input = /** @type {HTMLInputElement} */ (form.querySelector(`[name="${name}"]`));
    const value = params.get(name);
    if (value) input.value = toLocalInput(value);
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [name, value] of new FormData(/** @type {HTMLFormElement} */ (form))) {
      const text = String(value).trim();
      if (!text) continue;
      next.set(name, name === 'from' || name === 'to' ? new Date(text).toISOString() : text);
    }
    const status = params.get('status');
    if (status) next.set('status', status);
    apply(next);
  });
  return form;
}

/** @param {string} iso */
function toLocalInput(iso) {
  const at = new Date(iso);
  return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** @param {any[]} runs */
export function runsTable(runs) {
  if (runs.length === 0) return h('p', { class: 'muted' }, 'No saga matches.');
  return h(
    'table',
    { class: 'runs' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Saga', 'Definition', 'Labels', 'Status', 'Steps', 'Started', 'Took', 'Failure'].map(
          (t) => h('th', {}, t),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...runs.map((run) =>
        h(
          'tr',
          { 'data-id': run.id, 'data-status': run.status },
          h(
            'td',
            {},
            h('a', { href: `#/runs/${run.id}`, title: run.id, class: 'mono' }, run.id.slice(0, 8)),
          ),
          h('td', {}, `${run.definition.name}@${run.definition.version}`),
          h(
            'td',
            {},
            Object.entries(run.labels)
              .map(([k, v]) => `${k}=${v}`)
              .join(' '),
          ),
          h('td', {}, statusBadge(run.status)),
          h(
            'td',
            { class: 'steps' },
            ...run.steps.map((/** @type {any} */ s) =>
              h(
                'span',
                { class: `step status-${s.status.toLowerCase()}`, title: `${s.name}: ${s.status}` },
                s.name,
              ),
            ),
          ),
          h('td', {}, time(run.createdAt)),
          h('td', {}, duration(run.durationMs)),
          h('td', { class: 'reason' }, run.failureReason ?? ''),
        ),
      ),
    ),
  );
}
