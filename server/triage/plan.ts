/**
 * The answer plan: for every ticket, once it is classified and routed, what the AI contributes. It retrieves the
 * candidates (KB search and the issue model), lets answerability decide from the evidence, and composes the answer
 * when there is one to send: the best template rendered, or, with a grounded writer (OpenAI), a text written from
 * the retrieved entries only, which may also say the material does not answer it.
 */
import type { Intent, Route } from '../domain/vocabulary.js';
import type { IssueModel } from '../kb/issue-model.js';
import type { KbOutcomes } from '../kb/outcomes.js';
import type { KbHit, KbSearch } from '../kb/search.js';
import type { Logger } from '../log.js';
import { renderTemplateAnswer, type GroundedWriter } from './writer.js';
import {
  ANSWER_THRESHOLDS,
  decideAnswerability,
  type AnswerEvidence,
  type AnswerKind,
  type AnswerThresholds,
} from './answerability.js';
import type { IntentProfile } from './intents.js';

/**
 * What the AI does for one ticket; plain JSON (stored on the ticket's triage record).
 * - `answer`: the AI agent answers with `answer` (its text), grounded in `entry` (and `sources`);
 * - `suggest`: a person takes the ticket; the acknowledgment carries `entry` as "While you wait: this usually fixes
 *   it" (no `answer` text);
 * - `none`: no automatic answer and no article; `sources` lists the closest entries for the agent.
 * `evidence` holds every check with its value; `reason` says in words why (the first failed check, or the match).
 * `composer` is 'template', the writer's name ('openai:<model>'), or 'none'.
 */
export interface AnswerPlan {
  kind: AnswerKind;
  answer?: string;
  entry?: { id: number; title: string };
  /** For `suggest`: the article the acknowledgment carries (its text is not stored on the ticket). */
  suggestion?: { id: number; title: string; resolution: string };
  sources: { id: number; title: string; score: number }[];
  composer: string;
  evidence: AnswerEvidence & { writer?: WriterOutcome };
  reason: string;
}

/** What the grounded writer did, when one was asked. */
export interface WriterOutcome {
  name: string;
  canAnswer: boolean | null;
  usedSourceIds: number[];
  error?: string;
}

export interface PlanInput {
  subject: string;
  text: string;
  requesterName: string;
  category: string;
  intent: Intent;
  signals: string[];
  complex: boolean;
  route: Route;
}

/** How many entries and issues are looked at, and how many the writer may read. */
const HITS = 5;
const ISSUES = 5;
const WRITER_SOURCES = 3;

export function createAnswerPlanner(deps: {
  search: KbSearch;
  issues: IssueModel;
  intents: IntentProfile;
  writer?: GroundedWriter | null;
  /** What requesters said about entries (solved, did not help), per kind of request; none: no record is used. */
  outcomes?: Pick<KbOutcomes, 'counts'> | null;
  log: Logger;
  thresholds?: AnswerThresholds;
}) {
  const thresholds = deps.thresholds ?? ANSWER_THRESHOLDS;
  const source = (h: KbHit) => ({ id: h.id, title: h.title, score: h.score });

  /** Retrieval and the decision, without composing (also what the console's draft needs). */
  async function decide(input: PlanInput) {
    const q = `${input.subject}\n${input.text}`;
    const [hits, issues] = [await deps.search.search(q, { limit: HITS }), deps.issues.rank(q, ISSUES)];
    const counts = deps.outcomes && hits.length ? await deps.outcomes.counts(hits.map((h) => h.id)) : null;
    const decision = decideAnswerability(
      {
        ...input,
        hits,
        issues,
        intentFit: (issue, intent) => deps.intents.fit(issue, intent),
        record: (id, kind) => counts?.get(id)?.get(kind),
      },
      thresholds,
    );
    return { hits, decision };
  }

  return {
    decide,
    /** The plan for one classified, routed ticket. */
    async plan(input: PlanInput): Promise<AnswerPlan> {
      const { hits, decision } = await decide(input);
      const { kind, entry, evidence, reason } = decision;
      if (kind === 'none' || !entry)
        return { kind: 'none', sources: hits.slice(0, 3).map(source), composer: 'none', evidence, reason };
      const planned = { entry: { id: entry.id, title: entry.title }, sources: [source(entry)], evidence, reason };
      if (kind === 'suggest')
        return {
          kind,
          ...planned,
          suggestion: { id: entry.id, title: entry.title, resolution: entry.resolution },
          composer: 'none',
        };
      if (!deps.writer) return { kind, ...planned, answer: renderTemplateAnswer(entry), composer: 'template' };
      return write(input, entry, hits, planned);
    },
  };

  /** The writer answers from the retrieved entries (the decided one first) or says it cannot. */
  async function write(
    input: PlanInput,
    entry: KbHit,
    hits: KbHit[],
    planned: {
      entry: { id: number; title: string };
      sources: AnswerPlan['sources'];
      evidence: AnswerEvidence;
      reason: string;
    },
  ): Promise<AnswerPlan> {
    const writer = deps.writer!;
    const material = [entry, ...hits.filter((h) => h.id !== entry.id && h.score >= thresholds.lexical)].slice(
      0,
      WRITER_SOURCES,
    );
    try {
      const w = await writer.write(
        { subject: input.subject, text: input.text, category: input.category, requesterName: input.requesterName },
        material,
      );
      const outcome: WriterOutcome = { name: writer.name, canAnswer: w.canAnswer, usedSourceIds: w.usedSourceIds };
      if (!w.canAnswer)
        return {
          kind: 'none',
          sources: material.map(source),
          composer: writer.name,
          evidence: {
            ...planned.evidence,
            decision: 'none',
            writer: outcome,
            checks: [
              ...planned.evidence.checks,
              { name: 'writer', ok: false, value: writer.name, need: 'an answer from the retrieved entries' },
            ],
            failed: 'writer',
          },
          reason: 'the model found nothing in the retrieved entries that answers it',
        };
      const used = material.filter((h) => w.usedSourceIds.includes(h.id));
      if (!used.length || used.length !== new Set(w.usedSourceIds).size || !w.answer.trim())
        throw new Error('the answer cites material that was not retrieved');
      return {
        kind: 'answer',
        answer: w.answer.trim(),
        entry: { id: used[0]!.id, title: used[0]!.title },
        sources: used.map(source),
        composer: writer.name,
        evidence: { ...planned.evidence, writer: outcome },
        reason: `${planned.reason}; written by ${writer.name} from ${used.length} entr${used.length > 1 ? 'ies' : 'y'}`,
      };
    } catch (err) {
      const error = String((err as Error).message).slice(0, 200);
      deps.log.warn({ err: error }, 'grounded writer failed; rendering the template instead');
      return {
        kind: 'answer',
        ...planned,
        answer: renderTemplateAnswer(entry),
        composer: 'template',
        evidence: { ...planned.evidence, writer: { name: writer.name, canAnswer: null, usedSourceIds: [], error } },
      };
    }
  }
}

export type AnswerPlanner = ReturnType<typeof createAnswerPlanner>;
