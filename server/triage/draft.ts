/**
 * A drafted reply for the people (issue 13, item 4): for a ticket a person handles, the reply composed the same
 * grounded way as the AI agent's answer — the entries the answer plan retrieves, the decided one first; with a
 * grounded writer (OpenAI) written from those entries only, else the best entry's steps — and the resolved tickets
 * most like it, with what solved them. The agent edits and sends it; nothing here sends anything.
 */
import type { KbHit } from '../kb/search.js';
import { canonical } from '../kb/synonyms.js';
import type { Logger } from '../log.js';
import { tokenize } from '../text/tokenize.js';
import type { AnswerPlanner, PlanInput } from './plan.js';
import type { GroundedWriter } from './writer.js';

export interface ReplyDraft {
  /** The reply text, ready for the reply box (greeting and sign-off included). */
  text: string;
  /** 'template', the writer's name ('openai:<model>'), or 'none' (nothing in the knowledge base fits). */
  composer: string;
  /** The entries it rests on, best first (the decided one when answerability found one). */
  entries: { id: number; title: string; score: number }[];
  /** For the agent: how sure the AI is that the entry fits (the answer plan's reason), or why there is no draft. */
  note: string;
}

/** A resolved ticket offered as "similar": what it was about and what solved it. */
export interface ResolvedTicket {
  id: number;
  ref: string | null;
  subject: string;
  description: string;
  resolution: string;
}

/** The entries below this word match are not worth a draft… */
const MIN_SCORE = 0.3;
/** …and beside the entry answerability decided on, only those this close. */
const CLOSE_SCORE = 0.5;
const SOURCES = 3;

const firstName = (name: string) => name.trim().split(/\s+/)[0] || 'there';

export function createReplyDrafter(deps: { planner: AnswerPlanner; writer?: GroundedWriter | null; log: Logger }) {
  const wrap = (input: PlanInput, agentName: string, body: string) =>
    `Hi ${firstName(input.requesterName)},\n\n${body.trim()}\n\nBest regards,\n${agentName}`;
  const steps = (h: KbHit) =>
    `This looks like “${h.title}”. These steps usually fix it:\n\n${h.resolution.trim()}\n\n` +
    'Let me know whether that solves it; if not, I will take it from there.';

  return {
    /** The draft reply for a ticket a person handles (classified; the console passes what triage recorded). */
    async draft(input: PlanInput, agentName: string): Promise<ReplyDraft> {
      const { hits, decision } = await deps.planner.decide(input);
      const decided = decision.kind !== 'none' ? decision.entry : null;
      // Beside a decided entry, only close matches: the agent should not wade through loosely related articles.
      const min = decided ? CLOSE_SCORE : MIN_SCORE;
      const material = [decided, ...hits.filter((h) => h !== decided && h.score >= min)]
        .filter((h): h is KbHit => !!h)
        .slice(0, SOURCES);
      const entries = material.map((h) => ({ id: h.id, title: h.title, score: h.score }));
      if (!material.length)
        return {
          text: wrap(input, agentName, 'Thank you for your request. I am looking into it and will get back to you.'),
          composer: 'none',
          entries: [],
          note: `Nothing in the knowledge base fits: ${decision.reason}`,
        };
      const note = decided
        ? `The AI is confident: ${decision.reason}`
        : `Not confident enough to answer on its own (${decision.reason}); check the steps fit before sending.`;
      if (deps.writer) {
        try {
          const w = await deps.writer.write(
            { subject: input.subject, text: input.text, category: input.category, requesterName: input.requesterName },
            material,
          );
          const used = material.filter((h) => w.usedSourceIds.includes(h.id));
          if (w.canAnswer && used.length && w.answer.trim())
            return {
              text: w.answer.trim(),
              composer: deps.writer.name,
              entries: used.map((h) => ({ id: h.id, title: h.title, score: h.score })),
              note,
            };
          if (!w.canAnswer) {
            const n = `${deps.writer.name} found no answer in the entries; the closest entry's steps are below.`;
            return { text: wrap(input, agentName, steps(material[0]!)), composer: 'template', entries, note: n };
          }
        } catch (err) {
          deps.log.warn(
            { err: String((err as Error).message).slice(0, 200) },
            'draft writer failed; using the template',
          );
        }
      }
      return { text: wrap(input, agentName, steps(material[0]!)), composer: 'template', entries, note };
    },
  };
}

export type ReplyDrafter = ReturnType<typeof createReplyDrafter>;

/**
 * The resolved tickets most like this one: IDF-weighted overlap of the shared tokenizer's words (synonyms folded, no
 * word pairs) between the request and each candidate's subject and description (the candidates are the newest
 * resolved tickets of the category).
 */
export function similarResolved(
  request: string,
  candidates: ResolvedTicket[],
  opts: { limit?: number; min?: number } = {},
): (ResolvedTicket & { score: number })[] {
  const words = (text: string) => new Set(tokenize(text, canonical).filter((t) => !t.includes('_')));
  const q = words(request);
  if (!q.size || !candidates.length) return [];
  const docs = candidates.map((c) => words(`${c.subject}\n${c.description}`));
  const df = new Map<string, number>();
  for (const d of docs) for (const t of d) if (q.has(t)) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = (t: string) => Math.log(1 + candidates.length / (1 + (df.get(t) ?? 0)));
  let total = 0;
  for (const t of q) total += idf(t);
  return candidates
    .map((c, i) => {
      let got = 0;
      for (const t of q) if (docs[i]!.has(t)) got += idf(t);
      return { ...c, score: Math.round((got / total) * 1000) / 1000 };
    })
    .filter((c) => c.score >= (opts.min ?? 0.25))
    .sort((a, b) => b.score - a.score || b.id - a.id)
    .slice(0, opts.limit ?? 3);
}
