import { escapeXml } from './svg-text';
import { Timeline, TimelineBar } from './timeline';

const LABEL = 96;
const WIDTH = 760;
const ROW = 40;
const TOP = 28;
const BAR = 12;

const COLORS: Record<string, string> = {
  completed: '#059669',
  failed: '#dc2626',
  'timed-out': '#b91c1c',
  cancelled: '#6b7280',
  compensated: '#d97706',
  'compensation-failed': '#dc2626',
  'running-forward': '#2563eb',
  'running-compensation': '#f59e0b',
};

/**
 * The timeline as a standalone SVG: a row per step, its work above and its undo below, ticks
 * for retries, an axis in milliseconds. Each bar carries its step, phase, times and outcome as
 * data attributes, so a test (or a script) can read what is drawn.
 */
export function renderTimelineSvg(timeline: Timeline, steps: readonly string[]): string {
  const span = Math.max(1, timeline.totalMs);
  const plot = WIDTH - LABEL - 40;
  const x = (ms: number) => LABEL + (ms / span) * plot;
  const height = TOP + steps.length * ROW + 8;
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const ms = (span * i) / 4;
    parts.push(
      `<line x1="${x(ms)}" y1="${TOP - 6}" x2="${x(ms)}" y2="${height - 4}" stroke="#e2e8f0"/>`,
      `<text x="${x(ms)}" y="14" text-anchor="middle" fill="#64748b" font-size="10">${formatMs(ms)}</text>`,
    );
  }
  steps.forEach((step, row) => {
    const y = TOP + row * ROW;
    parts.push(
      `<text x="4" y="${y + BAR + 4}" font-weight="600">${escapeXml(step)}</text>`,
      `<line x1="${LABEL}" y1="${y + ROW - 4}" x2="${WIDTH - 16}" y2="${y + ROW - 4}" stroke="#f1f5f9"/>`,
    );
    for (const bar of timeline.bars.filter((b) => b.step === step)) {
      parts.push(drawBar(bar, bar.phase === 'forward' ? y + 2 : y + BAR + 6, x));
    }
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="${WIDTH}" height="${height}" ` +
    `viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="11">` +
    parts.join('') +
    '</svg>'
  );
}

function drawBar(bar: TimelineBar, y: number, x: (ms: number) => number): string {
  const color = COLORS[bar.outcome ?? `running-${bar.phase}`];
  const left = x(bar.startMs);
  const width = Math.max(2, x(bar.endMs) - left);
  const what = `${bar.step} ${bar.phase === 'forward' ? 'work' : 'undo'}`;
  const how = bar.outcome ?? 'running';
  const retries = bar.retriesMs.length > 0 ? `, ${bar.retriesMs.length} retries` : '';
  const title = `${what}: +${formatMs(bar.startMs)} to +${formatMs(bar.endMs)}, ${how}${retries}`;
  const ticks = bar.retriesMs.map(
    (ms) =>
      `<line class="retry" x1="${x(ms)}" y1="${y - 3}" x2="${x(ms)}" y2="${y + BAR + 3}" stroke="#0f172a" stroke-width="2"/>`,
  );
  return (
    `<rect class="bar ${bar.phase}" data-step="${escapeXml(bar.step)}" data-phase="${bar.phase}" ` +
    `data-start-ms="${Math.round(bar.startMs)}" data-end-ms="${Math.round(bar.endMs)}" ` +
    `data-outcome="${how}" x="${left}" y="${y}" width="${width}" height="${BAR}" rx="2" ` +
    `fill="${color}"><title>${escapeXml(title)}</title></rect>` +
    ticks.join('')
  );
}

function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
