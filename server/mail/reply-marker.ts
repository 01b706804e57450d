/**
 * The reply-above marker our own outgoing mail carries, and how the stripper finds it and the markers of other
 * helpdesks. Replies to our notifications are then cut exactly where our text starts, whatever the requester's
 * mail client does with quoting. The outgoing templates put `replyAboveMarker(lang)` as the first line of the text
 * part and `<div data-hd-reply-above>` + the same text as the first element of the HTML body.
 */

/** The marker line per language; the requester's language where we know it, English otherwise. */
export const REPLY_ABOVE_MARKERS = {
  en: '-- Please reply above this line --',
  de: '-- Bitte oberhalb dieser Zeile antworten --',
} as const;

export type MarkerLanguage = keyof typeof REPLY_ABOVE_MARKERS;

/** The attribute on the HTML element that carries the marker; an element with it is cut like the text line. */
export const REPLY_ABOVE_ATTRIBUTE = 'data-hd-reply-above';

/** The marker text for a language tag such as "de", "de-AT" or "en-GB"; English when the language is unknown. */
export function replyAboveMarker(lang?: string | null): string {
  const base = (lang ?? '').toLowerCase().split(/[-_]/)[0] as MarkerLanguage;
  return REPLY_ABOVE_MARKERS[base] ?? REPLY_ABOVE_MARKERS.en;
}

/** The marker as an HTML fragment for the top of an HTML body (escaping is not needed: the text is ours). */
export function replyAboveMarkerHtml(lang?: string | null): string {
  return `<div ${REPLY_ABOVE_ATTRIBUTE}="" style="color:#888;font-size:12px">${replyAboveMarker(lang)}</div>`;
}

/** A line is never a marker past this length; keeps the test cheap on hostile text. */
const MAX_MARKER_LINE = 200;

const norm = (s: string) =>
  s
    .replace(/^[\s>|]+/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
const OURS = new Set(Object.values(REPLY_ABOVE_MARKERS).map(norm));

/**
 * Markers other helpdesks and ticket systems put above their text: "##- Please type your reply above this line -##"
 * (Zendesk), "-- reply above this line --", "Bitte antworten Sie oberhalb dieser Zeile", "Répondez au-dessus de
 * cette ligne". One line, no nested quantifiers.
 */
const OTHERS =
  /(?:reply|respond|write|type\s+your\s+(?:reply|response))\s+(?:above|over)\s+this\s+line|(?:oberhalb|über|ueber)\s+dieser\s+zeile|au-dessus\s+de\s+cette\s+ligne|por\s+encima\s+de\s+esta\s+l[ií]nea|boven\s+deze\s+regel|sopra\s+questa\s+riga/iu;

/** True when `line` (quoted or not) is our reply-above marker or another helpdesk's. */
export function isReplyAboveMarker(line: string): boolean {
  if (line.length > MAX_MARKER_LINE) return false;
  const n = norm(line);
  return n.length > 0 && (OURS.has(n) || OTHERS.test(n));
}

/**
 * "Previous Replies", "Conversation history", "Bisheriger Verlauf": the heading above the history a helpdesk
 * notification quotes. Everything from it on is history.
 */
const PREVIOUS =
  /^[\s>#*=_~-]*(?:previous\s+(?:replies|comments|messages|responses|updates|conversation)|conversation\s+history|message\s+history|ticket\s+history|frühere\s+antworten|vorherige\s+antworten|bisherige\s+antworten|bisheriger\s+verlauf|nachrichtenverlauf|réponses\s+précédentes|historique\s+des\s+messages|respuestas\s+anteriores)[\s#*=_~:-]*$/iu;

export function isHistoryHeading(line: string): boolean {
  return line.length <= MAX_MARKER_LINE && PREVIOUS.test(line);
}
