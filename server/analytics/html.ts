/** The analytics page shell (charts are drawn by dist/analytics.js) and the 401 page. No user data is interpolated. */

const CHARTS: [id: string, title: string, wide?: boolean][] = [
  ['chart-distribution', 'Tasks distribution'],
  ['chart-resolved-by', 'Resolved by AI vs IT team'],
  ['chart-feedback', 'Feedback'],
  ['chart-resolution', 'Resolution time (hours): AI agents and IT team', true],
  ['chart-centres-volume', 'Development centres: volume by category', true],
  ['chart-centres-time', 'Development centres: resolution time (hours)'],
  ['chart-first-response', 'First-response time (hours)'],
  ['chart-over-time', 'Tickets over time', true],
  ['chart-deflections', 'Deflections by knowledge-base suggestions'],
  ['chart-escalations', 'Escalations'],
  ['chart-incidents', 'Major incidents detected'],
  ['chart-incidents-centres', 'Major incidents by centre: people affected, tickets absorbed'],
  ['chart-incidents-time', 'Major incidents: first ticket to detection and to resolution (minutes)'],
];

/**
 * The page's own script and nothing else may run; amCharts draws on canvases and sets inline styles, hence
 * 'unsafe-inline' for styles only (and data:/blob: images for its logo and exports).
 */
export const ANALYTICS_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** Ids of every chart container (the e2e test checks each one has a canvas). */
export const CHART_IDS = CHARTS.map(([id]) => id);

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f6f9;color:#1d2533}
header{background:#1d3557;color:#fff;padding:12px 16px;display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;justify-content:space-between}
header h1{font-size:1.15rem;margin:0}#live{font-size:.85rem;opacity:.9}#live.off{color:#ffd166}
form{display:flex;flex-wrap:wrap;gap:8px;padding:12px 16px;background:#fff;border-bottom:1px solid #dde3ea;align-items:end}
label{display:flex;flex-direction:column;font-size:.8rem;color:#4a5568;gap:2px}
input,select,button{font:inherit;padding:6px 8px;border:1px solid #c5cfdb;border-radius:6px;background:#fff;min-height:36px}
a.btn{font-size:.9rem;padding:8px 10px;border-radius:6px;background:#e8eef6;color:#1d3557;text-decoration:none}
main{padding:12px;display:grid;grid-auto-flow:dense;gap:12px;grid-template-columns:repeat(auto-fill,minmax(340px,1fr))}
.kpis{grid-column:1/-1;display:grid;gap:8px;grid-template-columns:repeat(auto-fill,minmax(150px,1fr))}
.kpi{background:#fff;border-radius:10px;padding:10px 12px;box-shadow:0 1px 2px #0001}.kpi b{display:block;font-size:1.4rem}.kpi span{font-size:.8rem;color:#4a5568}
section{background:#fff;border-radius:10px;padding:10px;box-shadow:0 1px 2px #0001;min-width:0}section.wide{grid-column:span 2}
section h2{font-size:.95rem;margin:2px 4px 6px}.chart{height:320px;width:100%}
#error{grid-column:1/-1;color:#b00020;display:none}
@media (max-width:760px){main{grid-template-columns:1fr;padding:8px}section.wide{grid-column:auto}.chart{height:280px}form label{flex:1 1 45%}}
`;

/** The page: filters, KPI tiles and one container per chart. */
export function analyticsPage(scriptUrl: string): string {
  const sections = CHARTS.map(
    ([id, title, wide]) =>
      `<section${wide ? ' class="wide"' : ''} aria-labelledby="${id}-h"><h2 id="${id}-h">${title}</h2><div class="chart" id="${id}" role="img" aria-label="${title}"></div></section>`,
  ).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>Helpdesk analytics</title><style>${STYLE}</style></head>
<body>
<header><h1>Helpdesk analytics</h1><span id="live" role="status" aria-live="polite">connecting…</span></header>
<form id="filters" aria-label="Filters">
<label>From<input type="date" name="from" required></label>
<label>To<input type="date" name="to" required></label>
<label>Development centre<select name="devCenter"><option value="">All</option></select></label>
<label>Category<select name="category"><option value="">All</option></select></label>
<a class="btn" id="export" href="#" download>Export CSV</a>
</form>
<main>
<div class="kpis" id="kpis" aria-live="polite"></div>
<p id="error" role="alert"></p>
${sections}
</main>
<script type="module" src="${scriptUrl}"></script>
</body></html>`;
}

/** A small page for a missing or wrong token. */
export function unauthorizedPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign-in required</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1d2533}</style></head>
<body><h1>Sign-in required</h1><p>The analytics page is for IT managers. Sign in to the console as a manager, or open the read-only link you were given; links expire after a while, so ask for a fresh one if yours stopped working.</p></body></html>`;
}
