/** The report page's styles, inlined so the page stands alone. */
export const REPORT_CSS = `
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px; font: 14px/1.45 system-ui, sans-serif; color: #0f172a; background: #f8fafc; }
header h1 { margin: 0 0 4px; font-size: 24px; }
header p { margin: 0; color: #475569; }
section { margin-top: 24px; }
h2 { font-size: 18px; margin: 0 0 12px; }
.overview { display: grid; grid-template-columns: auto 1fr; gap: 40px; align-items: start; }
.overview h2 + p, .overview h2 + div { margin-top: 0; }
.grid { display: grid; gap: 14px; }
.grid.charts { grid-template-columns: repeat(3, 1fr); }
.grid.flows { grid-template-columns: 1fr 1fr; }
.card { margin: 0; padding: 10px 12px; background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; min-width: 0; }
.card.wide { grid-column: span 2; }
figcaption { font-weight: 600; margin-bottom: 8px; }
figcaption code { font-weight: 400; color: #64748b; font-size: 12px; }
.chart { position: relative; height: 190px; }
.card svg.sequence { display: block; max-width: 100%; height: auto; }
table.summary { border-collapse: collapse; background: #fff; border: 1px solid #e2e8f0; }
table.summary th, table.summary td { padding: 4px 14px; border-bottom: 1px solid #e2e8f0; text-align: right; }
table.summary th:first-child { text-align: left; font-weight: 500; color: #334155; }
table.summary thead th { font-weight: 700; color: #0f172a; background: #f1f5f9; }
.good { color: #047857; }
.bad { color: #b91c1c; }
.legend { color: #475569; font-size: 12px; display: flex; gap: 16px; flex-wrap: wrap; }
.legend .k::before { content: ''; display: inline-block; width: 22px; height: 0; margin-right: 6px; vertical-align: middle; border-top: 2px solid; }
.k.forward::before { border-color: #2563eb; }
.k.reply::before { border-color: #059669; }
.k.failure::before { border-color: #dc2626; }
.k.compensation::before { border-color: #d97706; border-top-style: dashed; }
.k.result::before { border-color: #6b7280; border-top-style: dashed; }
.notes { color: #475569; max-width: 1100px; }
`;
