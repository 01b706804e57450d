/** Tokenizer for the local classifier: cleans e-mail noise, then yields stemmed unigrams and bigrams. */
import { stemmer } from 'stemmer';

// Function words plus helpdesk pleasantries that appear in every category and so carry no signal.
// Negations ("not", "no", "cannot", "never") are deliberately kept: "not working" is the signal.
const STOPWORDS = new Set(
  `a about above after again all also am an and any are as at be because been before being below between both but by
  could did do does doing down during each few for from further had has have having he her here hers herself him
  himself his how i if in into is it its itself just me more most my myself of off on once only or other our ours
  ourselves out over own same she should so some such than that the their theirs them themselves then there these
  they this those through to too under until up very was we were what when where which while who whom why will with
  would you your yours yourself yourselves im ive id ill youre dont didnt doesnt isnt wasnt arent
  hi hello hey dear thanks thank thx pls please regards best kind cheers team guys sir madam
  s t d ll m re ve`.split(/\s+/),
);
// "down" and "off" are in the list above but matter ("server down", "turned off"); take them back out.
for (const keep of ['down', 'off', 'out', 'again', 'all', 'more']) STOPWORDS.delete(keep);

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

const stemCache = new Map<string, string>();
function stem(w: string): string {
  let s = stemCache.get(w);
  if (s === undefined) {
    s = stemmer(w);
    if (stemCache.size < 50_000) stemCache.set(w, s);
  }
  return s;
}

/** Lowercased, apostrophe-folded unicode words; long digit runs (phones, ticket ids) are dropped. */
export function words(text: string): string[] {
  const folded = text.normalize('NFKC').toLowerCase().replace(/['’`]/g, '');
  const out: string[] = [];
  for (const w of folded.split(/[^\p{L}\p{N}]+/u)) {
    if (!w || /^\d{3,}$/.test(w)) continue;
    out.push(w);
  }
  return out;
}

/** Stemmed unigrams and adjacent-pair bigrams ("a_b") of the content words, after noise removal. */
export function tokenize(text: string): string[] {
  const content = words(stripInjection(stripEmailNoise(text)))
    .filter((w) => !STOPWORDS.has(w) && w.length < 30)
    .map(stem);
  const grams = content.slice();
  for (let i = 1; i < content.length; i++) grams.push(`${content[i - 1]}_${content[i]}`);
  return grams;
}
