/**
 * Picks among chardet's candidates for 8-bit text. chardet ranks single-byte charsets by letter frequencies,
 * which is weak on a short message: a Czech sentence in Windows-1250 came out as German Windows-1252 ("tøetím").
 * So each candidate's decoding is also scored by how many of its non-ASCII letters belong to the alphabet of the
 * language chardet names for it; multi-byte charsets (Shift_JIS, GB18030, Big5, EUC-*) keep chardet's order.
 */
import chardet from 'chardet';

/** Non-ASCII letters of each language chardet reports for a single-byte charset (lower case). */
const ALPHABETS: Record<string, string> = {
  de: 'äöüß',
  fr: 'àâæçéèêëîïôœùûüÿ',
  es: 'áéíñóúü',
  it: 'àèéìíîòóùú',
  pt: 'ãáâàçéêíóôõú',
  nl: 'éëïóöü',
  sv: 'åäöé',
  da: 'åæøé',
  no: 'åæøé',
  fi: 'äöå',
  cs: 'áčďéěíňóřšťúůýž',
  sk: 'áäčďéíĺľňóôŕšťúýž',
  pl: 'ąćęłńóśźż',
  hu: 'áéíóöőúüű',
  ro: 'ăâîșşțţ',
  hr: 'čćđšž',
  sl: 'čšž',
  tr: 'çğıöşü',
  lv: 'āčēģīķļņšūž',
  lt: 'ąčęėįšųūž',
};
const SCRIPTS: Record<string, RegExp> = {
  ru: /\p{Script=Cyrillic}/u,
  uk: /\p{Script=Cyrillic}/u,
  bg: /\p{Script=Cyrillic}/u,
  el: /\p{Script=Greek}/u,
  he: /\p{Script=Hebrew}/u,
  ar: /\p{Script=Arabic}/u,
};

const SINGLE_BYTE = /^(?:windows-125\d|iso-8859-\d+|koi8-[ru])$/i;

/** Share (0–1) of the non-ASCII letters of `text` that belong to `lang`; 0.5 when there is nothing to judge. */
function alphabetFit(text: string, lang: string | undefined): number {
  const alphabet = lang ? ALPHABETS[lang] : undefined;
  const script = lang ? SCRIPTS[lang] : undefined;
  if (!alphabet && !script) return 0.5;
  let letters = 0;
  let fits = 0;
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80 || !/\p{L}/u.test(ch)) continue;
    letters++;
    if (alphabet ? alphabet.includes(ch.toLowerCase()) : script!.test(ch)) fits++;
  }
  return letters ? fits / letters : 0.5;
}

export interface Candidate {
  name: string;
  score: number;
}

/**
 * chardet's candidates for `sample`, best first, each decoded by `decode` and scored; candidates whose name
 * `normalize` rejects are dropped.
 */
export function rankCandidates(
  sample: Buffer,
  normalize: (name: string) => string | null,
  decode: (bytes: Buffer, name: string) => string,
): Candidate[] {
  const out: Candidate[] = [];
  for (const m of chardet.analyse(sample)) {
    const name = normalize(m.name);
    if (!name) continue;
    const score = SINGLE_BYTE.test(name) ? m.confidence + 40 * alphabetFit(decode(sample, name), m.lang) : m.confidence;
    out.push({ name, score });
  }
  return out.sort((a, b) => b.score - a.score);
}
