/** What composing an answer needs: the grounded writer interface (OpenAI implements it) and the offline template. */
import type { KbHit } from '../kb/search.js';

export interface AnswerInput {
  subject: string;
  text: string;
  category: string;
  requesterName: string;
}

/** Writes a natural answer from retrieved material only, or says the material does not answer it. */
export interface GroundedWriter {
  readonly name: string;
  write(input: AnswerInput, sources: KbHit[]): Promise<{ canAnswer: boolean; answer: string; usedSourceIds: number[] }>;
}

/** Renders the best template, addressed to the requester (the offline answer). */
export function renderTemplateAnswer(hit: KbHit): string {
  return `This looks like “${hit.title}”. Here is what fixes it in most cases:\n\n${hit.resolution.trim()}`;
}
