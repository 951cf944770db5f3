import { tripBookingChoreography, tripBookingSaga } from '@app/trip-api';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TRIP_APPS } from '../support/trip-endpoints';
import { ComparisonResult, FlowSample } from './compare';
import { buildCharts } from './report-charts';
import { REPORT_CSS } from './report.styles';
import {
  escapeXml as esc,
  PersistedSpec,
  renderSequenceSvg,
  sequenceFromAudit,
  sequenceParties,
} from '@app/saga-core';
import { summaryRows } from './summary-rows';
import { SCENARIOS } from './workload';

/** The definitions the orchestrator runs: the diagrams' parties come from their steps. */
const SPECS: Record<string, PersistedSpec> = {
  orchestrated: tripBookingSaga().spec,
  choreographed: tripBookingChoreography().spec,
};

const FLOW_TITLES: Record<FlowSample['kind'], string> = {
  happy: 'A confirmed booking',
  compensated: 'A refused payment, compensated',
};

/**
 * The comparison as one self-contained page: Chart.js and the styles are inlined, the
 * sequence diagrams are SVG, so it opens from disk with no server and no network.
 */
export function renderReportHtml(result: ComparisonResult): string {
  const charts = buildCharts(result);
  const o = result.options;
  const mb = Math.round(result.machine.memoryBytes / 1024 ** 3);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Orchestrated vs choreographed — ${esc(result.startedAt)}</title>
<style>${REPORT_CSS}</style></head>
<body>
<header>
  <h1>Trip booking: orchestrated vs choreographed</h1>
  <p>${esc(result.startedAt)} · ${o.bookings} bookings per mode · concurrency ${o.concurrency} ·
  failure rate ${o.failureRate} · seed ${o.seed} · ${result.machine.cpus} CPUs
  (${esc(result.machine.cpuModel)}), ${mb} GiB · Node ${esc(result.machine.node)}</p>
</header>
<section class="overview">
  <div><h2>Summary</h2>${summaryTable(result)}</div>
  <div><h2>Consistency</h2>${violations(result)}<h2>Workload</h2>${workloadTable(result)}</div>
</section>
<section><h2>Charts</h2><div class="grid charts">
${charts.map((c) => `<figure class="card${c.wide ? ' wide' : ''}"><figcaption>${esc(c.title)}</figcaption><div class="chart"><canvas id="chart-${c.id}"></canvas></div></figure>`).join('\n')}
</div></section>
${(['happy', 'compensated'] as const).map((kind) => flowSection(result, kind)).join('\n')}
<section class="notes"><h2>How it is measured</h2><ul>
<li>Both modes run the same seeded workload, one mode after the other, closed loop: each of the
${o.concurrency} workers posts a booking, follows it with <code>GET /bookings/:id?wait=</code> until
it ends (polling every ${o.pollIntervalMs} ms where the orchestrator does not hold the read), then
posts the next. Throughput is bookings divided by the wall time of the mode's run.</li>
<li>Latency runs from the POST to the answer that shows the terminal status. Timeouts wait for
the orchestrator's step timeout (STEP_TIMEOUT_MS).</li>
<li>Messages are the rows the ${TRIP_APPS.length} apps' outboxes hold for the mode's bookings; database writes
are the growth of inserted + updated + deleted rows in pg_stat_database over their ${TRIP_APPS.length} databases,
read once the counters have been still for ${o.statsSettleMs} ms.</li>
<li>Time to compensate runs from a saga's first failed or timed-out step to the line that ends it.
The sequence diagrams are drawn from real audit logs of this run.</li>
</ul></section>
<script>${chartJsSource()}</script>
<script>
Chart.defaults.font.family = 'system-ui, sans-serif';
const CHARTS = ${scriptJson(charts.map((c) => ({ id: c.id, config: c.config })))};
for (const c of CHARTS) new Chart(document.getElementById('chart-' + c.id), c.config);
</script>
</body></html>
`;
}

function summaryTable(result: ComparisonResult): string {
  const head = result.modes.map((m) => `<th>${esc(m.mode)}</th>`).join('');
  const rows = summaryRows(result)
    .map(
      (r) =>
        `<tr><th>${esc(r.label)}</th>${r.values.map((v) => `<td>${esc(v)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table class="summary"><thead><tr><th></th>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

function violations(result: ComparisonResult): string {
  return result.modes
    .map((m) => {
      if (!m.measurements) {
        return `<p class="bad">${esc(m.mode)}: ${esc(m.unavailableReason ?? 'not measured')}</p>`;
      }
      const found = m.measurements.violations;
      if (found.length === 0) {
        return `<p class="good">${esc(m.mode)}: every invariant of the contract holds on the participants' databases.</p>`;
      }
      const list = found.map((v) => `<li>${esc(v)}</li>`).join('');
      return `<div class="bad">${esc(m.mode)}: ${found.length} invariant violations<ul>${list}</ul></div>`;
    })
    .join('\n');
}

function flowSection(result: ComparisonResult, kind: FlowSample['kind']): string {
  const figures = result.modes.map((m) => {
    const flow = m.flows.find((f) => f.kind === kind);
    if (!flow)
      return `<figure class="card"><figcaption>${esc(m.mode)}</figcaption><p>No such booking in this run.</p></figure>`;
    const parties = sequenceParties(SPECS[m.mode] ?? null, { engine: 'orchestrator' }, flow.steps);
    const items = sequenceFromAudit(flow.audit, parties, { startLabel: 'POST /bookings' });
    const svg = renderSequenceSvg(`${m.mode}-${kind}`, items, parties);
    const extra = flow.extra ? ' · extra booking, not measured' : '';
    return `<figure class="card"><figcaption>${esc(m.mode)} · ${esc(flow.scenario)} · ${esc(flow.status)}${extra} · <code>${esc(flow.bookingId)}</code></figcaption>${svg}</figure>`;
  });
  const legend =
    kind === 'happy'
      ? `<p class="legend"><span class="k forward">command / event</span><span class="k reply">reply</span>
<span class="k failure">failure</span><span class="k compensation">compensation</span>
<span class="k result">outcome</span><span>○ the orchestrator follows the event too</span></p>`
      : '';
  return `<section><h2>${FLOW_TITLES[kind]}, from its audit log</h2>${legend}
<div class="grid flows">${figures.join('\n')}</div></section>`;
}

function workloadTable(result: ComparisonResult): string {
  const counts = SCENARIOS.map((s) => [s, result.workload.filter((b) => b.scenario === s).length]);
  const cells = counts.map(([s, n]) => `<tr><th>${s}</th><td>${n}</td></tr>`).join('');
  return `<table class="summary"><tbody>${cells}</tbody></table>`;
}

/** Chart.js's UMD build, from node_modules, so the page needs no network. */
function chartJsSource(): string {
  const file = path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js');
  return readFileSync(file, 'utf8').replace(/<\/script/gi, '<\\/script');
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
