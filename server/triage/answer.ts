/**
 * The AI agent's answer is grounded: the closest knowledge-base entries and resolution templates are retrieved
 * first. With a writer (OpenAI) they are handed to the model, which may use nothing else; without one, the best
 * template is rendered. When nothing matches well enough the ticket goes to the pool instead of a poor answer.
 */
import type { KbHit, KbSearch } from '../kb/search.js';
import type { Logger } from '../log.js';

export interface AnswerInput {
  subject: string;
  text: string;
  category: string;
  requesterName: string;
}

export interface AnswerResult {
  ok: boolean;
  answer: string;
  sources: { id: number; title: string; score: number }[];
  composer: string;
  reason: string;
}

/** Writes a natural answer from retrieved material only (OpenAI implements it). */
export interface GroundedWriter {
  readonly name: string;
  write(input: AnswerInput, sources: KbHit[]): Promise<{ canAnswer: boolean; answer: string; usedSourceIds: number[] }>;
}

/** Minimum retrieval score for the AI agent to answer at all. */
export const MIN_ANSWER_SCORE = 0.3;

/** Renders the best template, addressed to the requester (the offline answer). */
export function renderTemplateAnswer(hit: KbHit): string {
  return `This looks like “${hit.title}”. Here is what fixes it in most cases:\n\n${hit.resolution.trim()}`;
}

export function createAnswerer(deps: {
  search: KbSearch;
  writer?: GroundedWriter | null;
  log: Logger;
  minScore?: number;
}) {
  const minScore = deps.minScore ?? MIN_ANSWER_SCORE;
  return {
    async compose(input: AnswerInput): Promise<AnswerResult> {
      const hits = (
        await deps.search.search(`${input.subject}\n${input.text}`, { category: input.category, limit: 3 })
      ).filter((h) => h.score >= minScore);
      const sources = hits.map((h) => ({ id: h.id, title: h.title, score: h.score }));
      if (!hits.length)
        return {
          ok: false,
          answer: '',
          sources,
          composer: 'none',
          reason: 'no knowledge-base entry matches well enough',
        };
      if (deps.writer) {
        try {
          const w = await deps.writer.write(input, hits);
          const allowed = new Set(hits.map((h) => h.id));
          if (!w.canAnswer)
            return {
              ok: false,
              answer: '',
              sources,
              composer: deps.writer.name,
              reason: 'the model found nothing in the retrieved material that answers it',
            };
          if (!w.usedSourceIds.length || w.usedSourceIds.some((id) => !allowed.has(id)) || !w.answer.trim()) {
            throw new Error('answer cites material that was not retrieved');
          }
          return {
            ok: true,
            answer: w.answer.trim(),
            sources: sources.filter((s) => w.usedSourceIds.includes(s.id)),
            composer: deps.writer.name,
            reason: 'grounded answer',
          };
        } catch (err) {
          deps.log.warn({ err: (err as Error).message }, 'grounded writer failed; rendering the best template instead');
        }
      }
      const best = hits[0]!;
      return {
        ok: true,
        answer: renderTemplateAnswer(best),
        sources: sources.slice(0, 1),
        composer: 'template',
        reason: `template “${best.title}”`,
      };
    },
  };
}

export type Answerer = ReturnType<typeof createAnswerer>;
