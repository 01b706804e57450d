/**
 * Building blocks for auto-detect.ts: header lookup that survives mailparser's structured values, the localized
 * subject lines auto-responders and MTAs use, and finding which of our messages a bounce is about.
 */
/** What the detector looks at; everything but `headers` is optional and is derived from the headers when absent. */
export interface AutoDetectInput {
  headers: Map<string, unknown>;
  headerLines?: { key: string; line: string }[];
  from?: string | null;
  subject?: string | null;
  /** Top-level Content-Type with parameters, e.g. "multipart/report; report-type=delivery-status". */
  contentType?: string | null;
  /** The Return-Path address: '' for the null path "<>", null/undefined when there is no Return-Path header. */
  returnPath?: string | null;
  /** Content types of the MIME parts (mailparser's attachments), to see message/delivery-status inside a report. */
  partTypes?: string[];
  text?: string;
  raw?: Buffer;
  inReplyTo?: string | null;
  references?: string[];
}

/** A header's raw value: from headerLines when we have them (exactly what was sent), else from mailparser's map. */
export function headerValue(
  headers: Map<string, unknown>,
  headerLines: { key: string; line: string }[] | undefined,
  name: string,
): string | null {
  const line = headerLines?.find((l) => l.key === name);
  if (line) {
    const colon = line.line.indexOf(':');
    return colon >= 0
      ? line.line
          .slice(colon + 1)
          .replace(/\r?\n[ \t]+/g, ' ')
          .trim()
      : '';
  }
  return stringify(headers.get(name));
}

function stringify(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map((x) => stringify(x) ?? '').join(', ');
  if (typeof v === 'object') {
    const o = v as { text?: unknown; value?: unknown; params?: Record<string, string> };
    if (typeof o.text === 'string') return o.text;
    if (typeof o.value === 'string') {
      const params = Object.entries(o.params ?? {})
        .map(([k, p]) => `; ${k}=${p}`)
        .join('');
      return o.value + params;
    }
  }
  return String(v);
}

// Subjects MTAs put on bounces and delay notices, anchored at the start so "Fwd: Undeliverable…" from a person
// asking for help is not taken for one.
export const BOUNCE_SUBJECT = new RegExp(
  '^\\s*(?:' +
    [
      'undeliverable',
      'undelivered mail',
      'undeliverable mail',
      'delivery status notification',
      'delivery notification',
      'returned mail',
      'mail delivery failed',
      'mail delivery failure',
      'mail delivery problem',
      'mail delivery system',
      'delivery failure',
      'delivery has failed',
      'delivery failed',
      'failure notice',
      'failed delivery',
      'delivery delayed',
      'delayed mail',
      'warning: could not send message',
      'message delivery failure',
      'message not delivered',
      'nondeliverable',
      'non-deliverable',
      'non remis',
      'non-remis',
      'unzustellbar',
      'nicht zustellbar',
      'onbestelbaar',
      'no se puede entregar',
      'não entregue',
      'rapport de non-remise',
      'mail system error',
      'could not send message',
      'returned to sender',
      'mail could not be delivered',
      'message undeliverable',
      'notificación de estado de entrega',
      'benachrichtigung zum übermittlungsstatus',
      'unable to deliver',
      'email bounce notification',
      'bounced mail',
      'mail returned',
      'rejected:',
      'delivery report',
    ].join('|') +
    ')',
  'iu',
);

// Out-of-office and auto-reply subjects in the languages our users' Exchange, Gmail and Apple Mail produce.
const AUTOREPLY_PREFIXES = [
  'automatic reply',
  'auto reply',
  'auto-reply',
  'autoreply',
  'auto response',
  'auto-response',
  'automatic response',
  'out of office',
  'out of the office',
  'ooo',
  'abwesenheitsnotiz',
  'automatische antwort',
  'réponse automatique',
  'reponse automatique',
  'absence',
  'respuesta automática',
  'respuesta automatica',
  'fuera de la oficina',
  'risposta automatica',
  'fuori sede',
  'fuori ufficio',
  'automatisch antwoord',
  'afwezig',
  'resposta automática',
  'resposta automatica',
  'ausente',
  'autosvar',
  'automatisk svar',
  'frånvaro',
  'fraværende',
  'odpowiedź automatyczna',
  'automatyczna odpowiedź',
  'автоматический ответ',
  'автоответ',
  'автоматична відповідь',
  '自动回复',
  '自動回覆',
  '自動応答',
  '不在',
  '자동 응답',
];
export const AUTOREPLY_SUBJECT = new RegExp(
  `^\\s*(?:(?:${AUTOREPLY_PREFIXES.join('|')})\\s*[:：(\\[]|(?:${AUTOREPLY_PREFIXES.join('|')})\\s*$)` +
    // "[Auto-Reply]", "(Automatic Response)", "Away until May 5" anywhere after a "Re:".
    // Lotus Notes: "AUTO: Smith, John is out of the office. (returning 05/01/2010)".
    '|^AUTO:\\s' +
    '|[(\\[]\\s*(?:auto(?:matic)?[- ]?(?:reply|response)|out of office|autoreply)\\s*[)\\]]|^\\s*(?:away|out of (?:the )?office) (?:until|till|from)\\b',
  'iu',
);

/** Words that make a null-return-path message a bounce rather than an auto-reply. */
export const DSN_BODY =
  /undeliver|not be delivered|could not deliver|delivery (?:has )?failed|delivery to the following|permanent error|returned mail|mailbox (?:is )?(?:full|unavailable)|user unknown|\b5\.\d{1,3}\.\d{1,3}\b/i;

const MESSAGE_ID_LINE =
  /^(?:message-id|original-message-id|x-original-message-id)[ \t]*:[ \t]*(?:\r?\n[ \t]+)?<([^<>\s]{3,250})>/gim;

/**
 * The Message-ID of the message a bounce is about: the first Message-ID header below the bounce's own headers
 * (the returned message/rfc822 or text/rfc822-headers part, or headers pasted into the text), else In-Reply-To,
 * else the last References entry.
 */
export function findBounceOf(input: AutoDetectInput): string | null {
  if (input.raw) {
    const raw = input.raw.subarray(0, 2_000_000).toString('latin1');
    const bodyStart = raw.search(/\r?\n\r?\n/);
    if (bodyStart >= 0) {
      MESSAGE_ID_LINE.lastIndex = bodyStart;
      const m = MESSAGE_ID_LINE.exec(raw);
      if (m) return m[1]!;
    }
  }
  if (input.text) {
    MESSAGE_ID_LINE.lastIndex = 0;
    const m = MESSAGE_ID_LINE.exec(input.text);
    if (m) return m[1]!;
  }
  const strip = (s: string) => s.replace(/^\s*<|>\s*$/g, '');
  if (input.inReplyTo) return strip(input.inReplyTo);
  const refs = input.references ?? [];
  return refs.length ? strip(refs[refs.length - 1]!) : null;
}
