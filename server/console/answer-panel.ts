/**
 * Why the AI answered this ticket, suggested an article, or did neither (issue 13, item 3): the answer plan's
 * evidence as the ticket's triage recorded it, in words an agent reads at a glance — the decision and its reason,
 * the issue the request sounded like against the runner-up, whether the full-text search agreed, what requesters
 * said about the article, and every check with its value and what it needed.
 */
import { html } from '../http/html.js';

interface Check {
  name: string;
  ok: boolean;
  value: unknown;
  need: unknown;
}
interface IssueRead {
  name: string;
  strength: number;
  p: number;
  intentFit: number | null;
}
interface Evidence {
  decision?: string;
  basis?: 'issue' | 'text' | null;
  entry?: { id: number; title: string; issue: string | null; category: string; source: string } | null;
  issue?: IssueRead | null;
  runnerUp?: IssueRead | null;
  retrieval?: { rank: number | null; score: number | null; agrees: boolean | null };
  record?: { kind: string; solved: number; failed: number } | null;
  checks?: Check[];
  failed?: string | null;
  writer?: { name: string; canAnswer: boolean | null; usedSourceIds: number[]; error?: string };
}
interface AnswerRecord {
  kind?: string;
  entry?: { id: number; title: string } | null;
  composer?: string;
  sources?: { id: number; title: string; score: number }[];
  reason?: string;
  evidence?: Evidence;
}

/** What each check asks, for people. */
const ASKS: Record<string, string> = {
  safety: 'Safe to help automatically (no critical incident, security concern, text aimed at the AI, several problems)',
  scope: 'An IT request (not facilities, HR, finance or travel)',
  candidate: 'A published entry for it was retrieved',
  strength: 'Sounds like a known issue',
  margin: 'Clearly one issue, not two',
  category: "The entry's category agrees with the ticket's",
  retrieval: 'The search ranks the entry among its first',
  lexical: "The entry covers the request's words",
  record: 'Requesters with this kind of request did not keep saying it did not help',
  writer: 'The model found the answer in the retrieved entries',
};

const DECISION: Record<string, string> = {
  answer: 'Answered by the AI agent',
  suggest: 'Article suggested in the acknowledgment',
  none: 'No automatic answer, no article',
};

const show = (v: unknown) =>
  v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v);
const issueLine = (i: IssueRead | null | undefined) =>
  i ? `${i.name} (strength ${i.strength}, p ${i.p}${i.intentFit === null ? '' : `, intent fit ${i.intentFit}`})` : '—';

/** The panel, or nothing for tickets triaged before answer plans were recorded. */
export function answerPanel(triage: Readonly<Record<string, unknown>> | null | undefined) {
  const a = (triage?.answer ?? null) as AnswerRecord | null;
  if (!a?.evidence) return '';
  const e = a.evidence;
  const checks = e.checks ?? [];
  const articleLink = (x: { id: number; title: string }) => html`<a href="/kb/${String(x.id)}">${x.title}</a>`;
  return html`<section class="panel answer-evidence" aria-labelledby="why-ai"><h2 id="why-ai">Why the AI ${a.kind === 'answer' ? 'answered' : a.kind === 'suggest' ? 'suggested an article' : 'did not answer'}</h2>
    <p class="decision decision-${a.kind ?? 'none'}"><b>${DECISION[a.kind ?? 'none'] ?? a.kind}</b>${a.entry ? html`: ${articleLink(a.entry)}` : ''}</p>
    <p>${a.reason ?? ''}</p>
    <dl>
      <dt>Sounds like</dt><dd>${e.basis === 'text' ? 'an entry made from tickets, by its words alone' : issueLine(e.issue)}</dd>
      <dt>Next best</dt><dd>${issueLine(e.runnerUp)}</dd>
      <dt>Full-text search</dt><dd>${e.retrieval?.agrees === true ? 'ranks the same article first' : e.retrieval?.agrees === false ? 'prefers another article' : '—'}${e.retrieval?.rank ? ` · place ${e.retrieval.rank}` : ''}${e.retrieval?.score != null ? ` · word match ${e.retrieval.score}` : ''}</dd>
      <dt>Requesters said</dt><dd>${e.record ? `${e.record.solved} solved, ${e.record.failed} did not help (${e.record.kind})` : 'nothing yet'}</dd>
      <dt>Written by</dt><dd>${a.composer ?? '—'}${e.writer ? ` · ${e.writer.canAnswer === false ? 'said the entries do not answer it' : e.writer.error ? `failed (${e.writer.error}); the template was used` : `used entries ${e.writer.usedSourceIds.join(', ') || '—'}`}` : ''}</dd>
    </dl>
    <table class="checks"><caption>Every check</caption><thead><tr><th scope="col"></th><th scope="col">Check</th><th scope="col">Measured</th><th scope="col">Needs</th></tr></thead><tbody>
      ${checks.map(
        (c) =>
          html`<tr class="${c.ok ? 'ok' : 'fail'}${c.name === e.failed ? ' decisive' : ''}"><td>${c.ok ? '✓' : '✗'}<span class="sr"> ${c.ok ? 'passed' : 'failed'}</span></td><td>${ASKS[c.name] ?? c.name}</td><td>${show(c.value)}</td><td>${show(c.need)}</td></tr>`,
      )}
    </tbody></table>
    ${a.sources?.length ? html`<p class="muted">Closest entries: ${a.sources.map((s, i) => html`${i ? ', ' : ''}${articleLink(s)} (${String(s.score)})`)}</p>` : ''}
  </section>`;
}
