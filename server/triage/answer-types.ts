/** The shapes of answerability's decision and evidence (answerability.ts decides; answer-reasons.ts words it). */
import type { Intent, Route } from '../domain/vocabulary.js';

export type AnswerKind = 'answer' | 'suggest' | 'none';

export interface AnswerCheck {
  /** 'writer': the grounded writer (OpenAI) said the entries do not answer it (added by the answer plan). */
  name:
    | 'safety'
    | 'scope'
    | 'candidate'
    | 'strength'
    | 'margin'
    | 'category'
    | 'retrieval'
    | 'lexical'
    | 'record'
    | 'writer';
  ok: boolean;
  /** The measured value (a number, or the word that decided). */
  value: number | string | null;
  /** What passing needs, in the same unit. */
  need: number | string | null;
}

/** What the decision rests on: plain JSON, stored on the ticket's triage record and shown to agents. */
export interface AnswerEvidence {
  decision: AnswerKind;
  route: Route;
  intent: Intent;
  category: string;
  /** 'issue': a known issue's article; 'text': an entry made from closed tickets, matched on its words alone. */
  basis: 'issue' | 'text' | null;
  entry: { id: number; title: string; issue: string | null; category: string; source: string } | null;
  issue: { name: string; strength: number; p: number; intentFit: number | null } | null;
  runnerUp: { name: string; strength: number; p: number; intentFit: number | null } | null;
  retrieval: {
    /** Place among the fused search's articles (1 = first). */
    rank: number | null;
    score: number | null;
    /** Whether the full-text index on its own ranks this article first. */
    agrees: boolean | null;
    top: { id: number; issue: string | null; score: number }[];
  };
  /** What requesters said about the entry for this kind of request (null: nothing recorded). */
  record: { kind: string; solved: number; failed: number } | null;
  checks: AnswerCheck[];
  /** The first check that failed, or null when all passed. */
  failed: AnswerCheck['name'] | null;
}
