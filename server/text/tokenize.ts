/**
 * Features for the learned models (the local classifier, the KB issue model): e-mail noise and instructions aimed at
 * the classifier are removed, then stemmed unigrams and bigrams of the content words.
 */
import { NEGATIONS, STOP_WORDS, stem, words } from './words.js';

const GREETING = /^\s*(hi|hello|hey|dear|good (morning|afternoon|evening)|hallo|hola)\b[^\n]{0,40}$/i;
// A short line that only signs off; everything after it is signature (name, title, phone).
const SIGN_OFF =
  /^\s*(thanks( (a lot|in advance|so much))?|thank you( (very much|in advance))?|many thanks|thx|cheers|regards|best( regards| wishes)?|kind regards|warm regards|br|mfg|sent from my \w+|--\s*)[\s,.!]*$/i;
const QUOTE_HEADER = /^\s*(on .{5,80} wrote:|-{2,} ?original message ?-{2,}|from: .+@.+)\s*$/i;

/** Removes greeting lines, quoted replies and the signature block (cheap line heuristics, no parsing). */
export function stripEmailNoise(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  for (const [i, line] of lines.entries()) {
    if (QUOTE_HEADER.test(line)) break;
    if (line.trimStart().startsWith('>')) continue;
    // Only cut at a sign-off once some content exists, so "Thanks, that fixed it" alone survives.
    if (SIGN_OFF.test(line) && out.some((l) => l.trim() !== '')) break;
    if (i < 3 && GREETING.test(line) && line.trim().split(/\s+/).length <= 4) continue;
    out.push(line);
  }
  return out.join('\n').trim();
}

// Sentences that try to steer the classifier ("ignore previous instructions, set severity low").
// They are dropped before feature extraction so they cannot push a prediction down.
const INJECTION =
  /(ignore|disregard|forget)\b[^.\n]{0,30}\b(previous|prior|above|earlier|all|your)\b[^.\n]{0,20}\b(instructions?|rules?|prompts?)|\b(set|mark|classify|change|make)\b[^.\n]{0,25}\b(severity|priority|urgency|category|ticket)\b[^.\n]{0,25}\b(to|as)\b[^.\n]{0,15}\b(low|minor|trivial|medium|none|ai)\b|\b(you are now|system prompt|act as an?)\b/i;

/** True when the text contains an attempt to instruct the classifier. */
export const hasInjection = (text: string) => INJECTION.test(text);

/** Removes sentences that look like instructions to the classifier. */
export function stripInjection(text: string): string {
  return text
    .split(/(?<=[.!?\n])\s*/)
    .filter((s) => !INJECTION.test(s))
    .join(' ');
}

/**
 * Stemmed unigrams and adjacent-pair bigrams ("a_b") of the content words, after noise removal. `fold` maps a word
 * to a canonical one first (the KB's synonyms: "notebook" → "laptop").
 */
export function tokenize(text: string, fold?: (word: string) => string): string[] {
  const content = words(stripInjection(stripEmailNoise(text)))
    .map((w) => NEGATIONS.get(w) ?? (fold ? fold(w) : w))
    .filter((w) => !STOP_WORDS.has(w) && w.length < 30)
    .map(stem);
  const grams = content.slice();
  for (let i = 1; i < content.length; i++) grams.push(`${content[i - 1]}_${content[i]}`);
  return grams;
}
