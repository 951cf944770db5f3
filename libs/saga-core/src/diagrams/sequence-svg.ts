import { ArrowStyle, SequenceItem } from './sequence-flow';
import { SequenceParties } from './sequence-parties';
import { escapeXml } from './svg-text';

const COLORS: Record<ArrowStyle, string> = {
  forward: '#2563eb',
  reply: '#059669',
  failure: '#dc2626',
  compensation: '#d97706',
  result: '#6b7280',
};
const DASHED: ReadonlySet<ArrowStyle> = new Set(['compensation', 'result']);

const LEFT = 64;
const COLUMN = 132;
const TOP = 58;
const ROW = 25;
const CHAR = 6.2;

/**
 * Draws a sequence diagram as a standalone SVG: one lifeline per party, one row per arrow or
 * note, the time since the saga started in the margin. `id` keeps marker ids unique when
 * several diagrams share a page. Colours are presentation attributes, not styles, so the
 * SVG shows under a Content-Security-Policy that forbids inline styles.
 */
export function renderSequenceSvg(
  id: string,
  items: readonly SequenceItem[],
  parties: Pick<SequenceParties, 'lifelines' | 'engine'>,
): string {
  const { lifelines, engine } = parties;
  const x = (l: string) => LEFT + COLUMN / 2 + Math.max(0, lifelines.indexOf(l)) * COLUMN;
  const width = LEFT + lifelines.length * COLUMN + 8;
  const height = TOP + items.length * ROW + 24;
  const marker = (style: ArrowStyle) => `${id}-${style}`;
  const parts: string[] = [];

  parts.push('<defs>');
  for (const style of Object.keys(COLORS) as ArrowStyle[]) {
    parts.push(
      `<marker id="${marker(style)}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">` +
        `<path d="M0,0 L10,5 L0,10 z" fill="${COLORS[style]}"/></marker>`,
    );
  }
  parts.push('</defs>');

  for (const lifeline of lifelines) {
    const cx = x(lifeline);
    parts.push(
      `<line x1="${cx}" y1="${TOP - 18}" x2="${cx}" y2="${height - 8}" stroke="#cbd5e1" stroke-dasharray="4 4"/>`,
      `<rect x="${cx - 52}" y="6" width="104" height="26" rx="5" fill="#f1f5f9" stroke="#94a3b8"/>`,
      `<text x="${cx}" y="23" text-anchor="middle" font-weight="600">${escapeXml(lifeline)}</text>`,
    );
  }

  items.forEach((item, row) => {
    const y = TOP + row * ROW + 12;
    parts.push(
      `<text x="6" y="${y + 4}" fill="#64748b" font-size="10">+${Math.round(item.atMs)} ms</text>`,
    );
    if (item.kind === 'note') {
      const w = Math.max(80, item.text.length * CHAR + 16);
      const cx = x(item.over);
      parts.push(
        `<rect x="${cx - w / 2}" y="${y - 10}" width="${w}" height="20" rx="3" fill="#fef3c7" stroke="#d97706"/>`,
        `<text x="${cx}" y="${y + 4}" text-anchor="middle">${escapeXml(item.text)}</text>`,
      );
      return;
    }
    const [x1, x2] = [x(item.from), x(item.to)];
    const color = COLORS[item.style];
    const dash = DASHED.has(item.style) ? ' stroke-dasharray="6 4"' : '';
    parts.push(
      `<line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" stroke="${color}" stroke-width="1.6"${dash} marker-end="url(#${marker(item.style)})"/>`,
      `<text x="${(x1 + x2) / 2}" y="${y - 4}" text-anchor="middle" fill="${color}">${escapeXml(item.label)}</text>`,
    );
    if (item.observed) {
      parts.push(
        `<circle cx="${x(engine)}" cy="${y}" r="4" fill="#fff" stroke="${color}" stroke-width="1.5"><title>the engine follows this event too</title></circle>`,
      );
    }
  });

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="sequence" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">` +
    parts.join('') +
    '</svg>'
  );
}
