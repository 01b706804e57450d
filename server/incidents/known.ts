/**
 * Open incidents as the public sees them (the widget while someone types, the /kb page): title, centre and start
 * time, nothing a child wrote and no one's name. The open list is read at most once a second per process, so a
 * widget asking on every pause in typing costs one issue-model ranking and a few dot products.
 */
import type { IssueTraits } from './match.js';
import { joinScore } from './match.js';
import type { Incident, IncidentModels } from './models.js';
import type { Words } from './words.js';

/** The issue model's ranking (kb/issue-model.ts), handed in by the composition root. */
export type IssueRanker = (q: string, top?: number) => { issue: string; z: number }[];

/** What anyone may see of an open incident. */
export interface KnownIssue {
  ref: string;
  title: string;
  /** null: not local to one centre. */
  devCenter: string | null;
  since: Date;
}

const CACHE_MS = 1000;

export function createKnown(d: {
  models: IncidentModels;
  traits: IssueTraits;
  words: Words;
  issues: IssueRanker;
  clock: () => Date;
}) {
  let cached: { at: number; rows: Promise<Incident[]> } | null = null;
  const open = () => {
    const now = d.clock().getTime();
    if (!cached || now - cached.at >= CACHE_MS || now < cached.at) {
      const rows = d.models.Incident.findAll({ where: { status: 'open' }, order: [['firstTicketAt', 'DESC']] });
      cached = { at: now, rows };
      rows.catch(() => (cached = null));
    }
    return cached.rows;
  };
  const pub = (i: Incident): KnownIssue => ({
    ref: i.ref ?? `MI-${i.id}`,
    title: i.title,
    devCenter: i.devCenter,
    since: i.firstTicketAt,
  });

  return {
    /**
     * Open incidents for a centre (its own and those not local to one; every one without a centre). With `q`
     * (what someone is typing), only those it is about, closest first, read by the same rules as joining.
     */
    async list(f: { devCenter?: string | null; q?: string } = {}): Promise<KnownIssue[]> {
      const all = (await open()).filter((i) => !f.devCenter || i.scope === 'global' || i.devCenter === f.devCenter);
      const q = f.q?.trim();
      if (!q) return all.map(pub);
      const [best, runner] = d.issues(q, 2);
      const terms = d.words.terms(q);
      return all
        .map((i) => ({
          i,
          score: joinScore(
            {
              ticketId: 0,
              requesterKey: '',
              // What someone types has no category yet: the incident's own stands in, so issue and words decide.
              category: i.category,
              devCenter: i.scope === 'global' ? null : i.devCenter,
              issue: best?.issue ?? null,
              issueZ: best?.z ?? null,
              runner: runner?.issue ?? null,
              runnerZ: runner?.z ?? null,
              terms,
              createdAt: d.clock(),
            },
            i,
            d.traits,
          ),
        }))
        .filter((x) => x.score > 0)
        .sort((a, b) => b.score - a.score)
        .map((x) => pub(x.i));
    },
    /** Forget the cached list (after this process opened, resolved or merged an incident). */
    invalidate() {
      cached = null;
    },
  };
}
