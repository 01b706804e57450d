/** The reasons answerability gives, in words for the requester's ticket record and the console (answerability.ts). */
import type { AnswerCheck, AnswerEvidence, AnswerKind } from './answer-types.js';

/** Why a ticket gets no answer: the first check that failed, in words. */
export function reasonFor(c: AnswerCheck, blocked: string | null, e: AnswerEvidence): string {
  const title = e.entry ? `“${e.entry.title}”` : 'the closest entry';
  const alone = e.retrieval.agrees ? '' : ', the full-text search preferring another article';
  const where = c.value === 0 ? 'below the others' : `at ${c.value}`;
  const short = `${c.value} < ${c.need}${alone}`;
  switch (c.name) {
    case 'safety':
      return blocked ?? 'blocked';
    case 'scope':
      return `the request reads like one for another department (facilities, HR, finance, travel), not IT's`;
    case 'candidate':
      return `no published knowledge-base entry for ${e.issue?.name ?? 'the request'} was retrieved`;
    case 'strength':
      return `the request does not look like any known issue (best: ${e.issue?.name}, strength ${short})`;
    case 'margin':
      return e.basis === 'text'
        ? `${title} is not clearly better than the next entry (${c.value} < ${c.need})`
        : `two issues fit about equally: ${e.issue?.name} and ${e.runnerUp?.name} (margin ${short})`;
    case 'category':
      return `${title} is about ${c.value}, the ticket is classified ${e.category}`;
    case 'retrieval':
      return `the full-text search ranks ${title} only ${where} among the articles`;
    case 'lexical':
      return `${title} covers too little of the request's words (${c.value} < ${c.need})`;
    case 'record':
      return `${title} did not help requesters with this kind of request (${c.value})`;
    case 'writer':
      return 'the model found nothing in the retrieved entries that answers it';
  }
}

/** Why a ticket is answered or gets a suggestion: the entry and the evidence for it. */
export function passReason(kind: AnswerKind, e: AnswerEvidence): string {
  const issue = `${e.issue?.name} (strength ${e.issue?.strength}, margin over ${e.runnerUp?.name ?? 'none'})`;
  const why =
    e.basis === 'text' ? `its words match the request closely (${e.retrieval.score})` : `the request matches ${issue}`;
  const title = `“${e.entry?.title}”`;
  return kind === 'answer' ? `answered with ${title}: ${why}` : `suggested ${title} while a person takes it: ${why}`;
}
