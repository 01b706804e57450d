/**
 * The analytics page: reads the filter from the URL, draws every chart from /api/analytics/summary, and keeps
 * them current from /api/analytics/stream (Server-Sent Events) without reloading. A read-only link carries its
 * token in `?token=`; it is passed on to the API and the stream (EventSource cannot send headers).
 */
import { faceOf } from '../../domain/vocabulary.js';
import { columnChart, dateChart, pieChart, type Row } from './charts';

interface TimeStats {
  count: number;
  avgHours: number | null;
  medianHours: number | null;
}
interface Summary {
  filter: { from: string; to: string; devCenter?: string; category?: string };
  medians: 'exact' | 'sampled';
  totals: { tickets: number; resolved: number; open: number; escalated: number; feedback: number; deflections: number };
  distribution: { ai: number; itTeam: number; pool: number; untriaged: number };
  resolvedBy: { ai: number; itTeam: number; suggestion: number };
  feedback: { counts: { score: number; count: number }[]; average: number | null };
  resolutionTime: { overall: TimeStats; itTeam: TimeStats; aiAgents: (TimeStats & { agent: string })[] };
  firstResponse: TimeStats & { byRoute: (TimeStats & { route: string })[] };
  devCenters: {
    devCenter: string;
    tickets: number;
    escalated: number;
    byCategory: Record<string, number>;
    resolution: TimeStats;
  }[];
  categories: string[];
  overTime: { day: string; created: number; resolved: number; escalated: number; deflections: number }[];
  escalations: { count: number; rate: number | null };
  incidents: {
    total: number;
    peopleAffected: number;
    ticketsAbsorbed: number;
    detection: TimeStats;
    resolution: TimeStats;
    overTime: { day: string; opened: number }[];
    devCenters: {
      devCenter: string;
      incidents: number;
      peopleAffected: number;
      ticketsAbsorbed: number;
      detection: TimeStats;
      resolution: TimeStats;
    }[];
  };
  options: { devCenters: string[]; categories: string[] };
}

/** What the page exposes for tests and curious managers: the last summary and how it arrived. */
interface PageState {
  summary: Summary | null;
  updates: number;
  lastReason: string | null;
}
const state: PageState = { summary: null, updates: 0, lastReason: null };
(window as unknown as { hdAnalytics: PageState }).hdAnalytics = state;

const ROUTES: Record<string, string> = {
  ai: 'AI agents',
  it_team: 'IT team',
  pool: 'Not allocated',
  '': 'Not triaged',
};
const $ = <T extends HTMLElement>(sel: string) => document.querySelector(sel) as T;
const form = $<HTMLFormElement>('#filters');
const params = new URLSearchParams(location.search);
const token = params.get('token');

const charts = {
  distribution: columnChart('chart-distribution', 'name', [{ field: 'value', name: 'Tickets' }]),
  resolvedBy: pieChart('chart-resolved-by'),
  feedback: columnChart('chart-feedback', 'name', [{ field: 'value', name: 'Ratings' }]),
  resolution: columnChart('chart-resolution', 'name', [
    { field: 'avg', name: 'Average' },
    { field: 'median', name: 'Median' },
  ]),
  centresVolume: columnChart('chart-centres-volume', 'name', [], { stacked: true, legend: true }),
  centresTime: columnChart('chart-centres-time', 'name', [
    { field: 'avg', name: 'Average' },
    { field: 'median', name: 'Median' },
  ]),
  firstResponse: columnChart('chart-first-response', 'name', [
    { field: 'avg', name: 'Average' },
    { field: 'median', name: 'Median' },
  ]),
  overTime: dateChart('chart-over-time', [
    { field: 'created', name: 'Created' },
    { field: 'resolved', name: 'Resolved' },
    { field: 'escalated', name: 'Escalated' },
  ]),
  deflections: dateChart('chart-deflections', [{ field: 'deflections', name: 'Deflections', columns: true }]),
  escalations: dateChart('chart-escalations', [{ field: 'escalated', name: 'Escalations', columns: true }]),
  incidents: dateChart('chart-incidents', [{ field: 'opened', name: 'Incidents', columns: true }]),
  incidentCentres: columnChart('chart-incidents-centres', 'name', [
    { field: 'people', name: 'People affected' },
    { field: 'tickets', name: 'Tickets absorbed' },
  ]),
  incidentTime: columnChart('chart-incidents-time', 'name', [
    { field: 'detect', name: 'To detection (median)' },
    { field: 'resolve', name: 'To resolution (median)' },
  ]),
};
const minutes = (h: number | null) => (h == null ? null : Math.round(h * 600) / 10);

const timeRow = (name: string, t: TimeStats): Row => ({
  name: `${name} (${t.count})`,
  avg: t.avgHours,
  median: t.medianHours,
});
const centre = (name: string) => name || 'Unknown';
const fmt = (v: number | null, unit = '') =>
  v == null ? '—' : `${v.toLocaleString(undefined, { maximumFractionDigits: 1 })}${unit}`;

function render(s: Summary) {
  state.summary = s;
  const dates = (field: 'created' | 'resolved' | 'escalated' | 'deflections') =>
    s.overTime.map((d) => ({ date: Date.parse(`${d.day}T00:00:00Z`), [field]: d[field] }));
  charts.distribution.set([
    { name: 'AI agents', value: s.distribution.ai },
    { name: 'IT team', value: s.distribution.itTeam },
    { name: 'Not allocated', value: s.distribution.pool },
  ]);
  charts.resolvedBy.set([
    { name: 'AI', value: s.resolvedBy.ai },
    { name: 'IT team', value: s.resolvedBy.itTeam },
    { name: 'Suggested article', value: s.resolvedBy.suggestion },
  ]);
  charts.feedback.set(s.feedback.counts.map((f) => ({ name: `${faceOf(f.score)} ${f.score}`, value: f.count })));
  charts.resolution.set([
    ...s.resolutionTime.aiAgents.map((a) => timeRow(a.agent, a)),
    timeRow('IT team', s.resolutionTime.itTeam),
  ]);
  charts.centresVolume.set(
    s.devCenters.map((c) => ({ name: centre(c.devCenter), ...c.byCategory })),
    s.categories.map((cat) => ({ field: cat, name: cat || 'Uncategorised' })),
  );
  charts.centresTime.set(s.devCenters.map((c) => timeRow(centre(c.devCenter), c.resolution)));
  charts.firstResponse.set([
    timeRow('All', s.firstResponse),
    ...s.firstResponse.byRoute.map((r) => timeRow(ROUTES[r.route] ?? r.route, r)),
  ]);
  charts.overTime.set(
    s.overTime.map((d) => ({
      date: Date.parse(`${d.day}T00:00:00Z`),
      created: d.created,
      resolved: d.resolved,
      escalated: d.escalated,
    })),
  );
  charts.deflections.set(dates('deflections'));
  charts.escalations.set(dates('escalated'));
  const resolved = s.resolvedBy.ai + s.resolvedBy.itTeam + s.resolvedBy.suggestion;
  const mi = s.incidents;
  charts.incidents.set(mi.overTime.map((d) => ({ date: Date.parse(`${d.day}T00:00:00Z`), opened: d.opened })));
  const incidentCentre = (c: string) => c || 'All centres';
  charts.incidentCentres.set(
    mi.devCenters.map((c) => ({
      name: `${incidentCentre(c.devCenter)} (${c.incidents})`,
      people: c.peopleAffected,
      tickets: c.ticketsAbsorbed,
    })),
  );
  charts.incidentTime.set(
    mi.devCenters.map((c) => ({
      name: incidentCentre(c.devCenter),
      detect: minutes(c.detection.medianHours),
      resolve: minutes(c.resolution.medianHours),
    })),
  );
  const kpis: [string, string][] = [
    [fmt(s.totals.tickets), 'tickets'],
    [resolved ? `${Math.round((s.resolvedBy.ai / resolved) * 100)}%` : '—', 'resolved by AI'],
    [fmt(s.totals.open), 'open'],
    [
      `${fmt(s.escalations.count)} (${s.escalations.rate == null ? '—' : Math.round(s.escalations.rate * 100) + '%'})`,
      'escalated',
    ],
    [s.feedback.average == null ? '—' : `${s.feedback.average.toFixed(2)} / 5`, `feedback (${s.totals.feedback})`],
    [fmt(s.firstResponse.medianHours, ' h'), 'median first response'],
    [
      fmt(s.resolutionTime.overall.medianHours, ' h'),
      `median resolution${s.medians === 'sampled' ? ' (sampled)' : ''}`,
    ],
    [fmt(s.totals.deflections), 'deflected by KB'],
    [fmt(s.resolvedBy.suggestion), 'solved by a suggested article'],
    [fmt(mi.total), `major incidents (${mi.ticketsAbsorbed} tickets, ${mi.peopleAffected} people)`],
    [fmt(minutes(mi.detection.medianHours), ' min'), 'median time to detect an incident'],
  ];
  const box = $('#kpis');
  box.replaceChildren(
    ...kpis.map(([v, l]) => {
      const el = document.createElement('div');
      el.className = 'kpi';
      el.append(
        Object.assign(document.createElement('b'), { textContent: v }),
        Object.assign(document.createElement('span'), { textContent: l }),
      );
      return el;
    }),
  );
  fillSelect('devCenter', s.options.devCenters, s.filter.devCenter);
  fillSelect('category', s.options.categories, s.filter.category);
}

function fillSelect(name: string, values: string[], current?: string) {
  const sel = form.elements.namedItem(name) as HTMLSelectElement;
  const want = ['', ...values];
  if (current && !want.includes(current)) want.push(current);
  if ([...sel.options].map((o) => o.value).join('\n') !== want.join('\n'))
    sel.replaceChildren(...want.map((v) => new Option(v || 'All', v)));
  sel.value = current ?? '';
}

function query(): string {
  const p = new URLSearchParams();
  for (const k of ['from', 'to', 'devCenter', 'category']) {
    const v = (form.elements.namedItem(k) as HTMLInputElement).value;
    if (v) p.set(k, v);
  }
  if (token) p.set('token', token);
  return p.toString();
}

function showError(msg: string) {
  const el = $('#error');
  el.textContent = msg;
  el.style.display = msg ? 'block' : 'none';
}

let source: EventSource | null = null;
const live = $('#live');

async function load() {
  const q = query();
  const exportLink = $<HTMLAnchorElement>('#export');
  exportLink.href = `/api/analytics/export.csv?${q}`;
  // A read-only link opens the figures, not the per-ticket export.
  exportLink.hidden = token !== null;
  const res = await fetch(`/api/analytics/summary?${q}`, { credentials: 'same-origin' });
  if (!res.ok) {
    const body = await res.json().catch(() => null);
    showError(body?.error?.message ?? `The summary could not be loaded (${res.status}).`);
    return;
  }
  showError('');
  const s = (await res.json()) as Summary;
  for (const k of ['from', 'to'] as const) (form.elements.namedItem(k) as HTMLInputElement).value = s.filter[k];
  render(s);
  state.lastReason = 'load';
  source?.close();
  source = new EventSource(`/api/analytics/stream?${q}`);
  source.addEventListener('summary', (e) => {
    const msg = JSON.parse((e as MessageEvent<string>).data) as { reason: string; summary: Summary };
    render(msg.summary);
    state.updates++;
    state.lastReason = msg.reason;
    live.textContent = `live · updated ${new Date().toLocaleTimeString()}`;
    live.className = '';
  });
  // EventSource reconnects by itself; say so meanwhile.
  source.onerror = () => {
    live.textContent = 'reconnecting…';
    live.className = 'off';
  };
}

// The form starts from the URL, so a shared link opens with its filter.
for (const k of ['from', 'to']) (form.elements.namedItem(k) as HTMLInputElement).value = params.get(k) ?? '';
fillSelect('devCenter', [], params.get('devCenter') ?? undefined);
fillSelect('category', [], params.get('category') ?? undefined);

form.addEventListener('change', () => {
  const p = new URLSearchParams(query());
  p.delete('token');
  history.replaceState(null, '', `?${p}${token ? `&token=${encodeURIComponent(token)}` : ''}`);
  void load();
});
form.addEventListener('submit', (e) => e.preventDefault());
void load();
