/**
 * Line patterns that mark where quoted history or a signature starts in a plain-text reply, in the languages our
 * corpora (and our users' mail clients) produce. Every pattern is tested against one line, or a few joined lines,
 * capped at MAX_HEADER_CHARS, and none nests quantifiers, so matching stays linear on hostile input.
 */

/** Longest attribution ("On … wrote:") we try to recognise; Gmail wraps long ones over up to ~6 lines. */
export const MAX_HEADER_CHARS = 600;

// Verbs that end an attribution line: en, fr, es, ca, it, pt, de, nl, sv/no/da, pl, ru, uk, fi, hu, cs, tr, el,
// and vi, id/ms, hr/sr/bs/sl, ro, lt, lv, et, is, th, he, ar (Gmail's and Outlook's localized "On … wrote:").
const WROTE =
  '(?:wrote|writes|a\\s+écrit|écrit|escribió|escribio|ha\\s+escrit|scritto|escreveu|schrieb|schreef|skrev|skrivit|' +
  'geschreven|napisał\\(a\\)|napisała|napisał|pisze|написал\\(а\\)|написала|написал|написав|пише|пишет|scrisse|kirjoitti|írta|napsal|yazdı|έγραψε|' +
  'đã\\s+viết|menulis|napisao\\s+je|napisala\\s+je|je\\s+napisao|je\\s+napisala|napisao|napisala|je\\s+napisal|napisal\\(a\\)|' +
  'a\\s+scris|rašė|rakstīja|kirjutas|skrifaði|เขียนว่า|เขียน|כתב|כתבה|كتب)';

/** "On <date>, <name> wrote:" and its translations: the verb ends the line. */
const VERB_AT_END = new RegExp(`${WROTE}\\s*[:：]?\\s*-*\\s*$`, 'iu');
/**
 * German, Danish and Norwegian put the verb before the name or date: "Am 25.06.2015 um 10:55 schrieb Test user:",
 * "Max <m@x.de> schrieb am Fr., 28. Apr. 2017 um 11:53 Uhr:". Bounded repeats keep the backtracking small.
 */
const VERB_WORD = new RegExp(`\\s${WROTE}\\s`, 'iu');
const ENDS_WITH_COLON = /[:：]\s*$/u;
/** Gmail without a verb ("2014-03-20 8:48 GMT+01:00 Name <a@b>:"), mail.ru ("… от Name <a@b>:"). */
const ADDRESS_COLON = /[>\]]\s*[:：]\s*$/u;
/** Apple Mail and Gmail in Chinese, Korean and Japanese. */
const CJK = /(?:写道|寫道)\s*[:：]\s*$|작성\s*[:：]\s*$|のメッセージ\s*[:：]\s*$|が書きました\s*[:：]\s*$/u;

/** True when `s` (one line, or a few lines joined by spaces) is an attribution line that introduces quoted history. */
export function isAttribution(s: string): boolean {
  if (s.length > MAX_HEADER_CHARS) return false;
  // Hebrew and Arabic clients put direction marks around the address ("<a@b>\u200f:").
  const t = s.replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  if (CJK.test(t)) return true;
  const hasDateOrAddress = /\d/.test(t) || t.includes('@');
  if (!hasDateOrAddress) return false;
  if (VERB_AT_END.test(t)) return true;
  if (VERB_WORD.test(t) && ENDS_WITH_COLON.test(t)) return true; // two linear tests, no backtracking between them
  // A bare "<addr>:" ending needs both an address and a date, or "Contact me at <a@b>:" would cut a reply.
  return ADDRESS_COLON.test(t) && t.includes('@') && /\d{1,2}[:.]\d{2}|\d{4}/.test(t);
}

/** Lines that may start a wrapped attribution we should try joining with the next few lines. */
export const ATTRIBUTION_START =
  /^[\s>-]*(?:on|le|el|il|em|am|op|den|w\s+dniu|dnia|på|dne|in\s+data|\d{1,4}|mon|tue|wed|thu|fri|sat|sun|lun|mar|mer|jeu|ven|sam|dim|mo|di|mi|do|fr|sa|so)(?=[\s,.:]|$)/iu;

/** "-----Original Message-----" and translations (Outlook, Lotus, Zimbra). */
export const ORIGINAL_MESSAGE =
  /^\s*[-_=*]{2,}\s*(?:original\s+message|ursprüngliche\s+nachricht|message\s+d'origine|mensaje\s+original|messaggio\s+originale|oorspronkelijk\s+bericht|oprindelig\s+meddelelse|opprinnelig\s+melding|originalmeddelande|ursprungligt\s+meddelande|wiadomość\s+oryginalna|mensagem\s+original|исходное\s+сообщение|оригинальное\s+сообщение|původní\s+zpráva|alkuperäinen\s+viesti|eredeti\s+üzenet)\s*[-_=*]{2,}\s*$/iu;

/** Forwarded-message markers (Gmail, Apple Mail, Outlook, Thunderbird) in the same languages. */
export const FORWARDED =
  /^\s*(?:[-_=*]{2,}\s*(?:forwarded\s+message|weitergeleitete\s+nachricht|message\s+transféré|mensaje\s+reenviado|messaggio\s+inoltrato|doorgestuurd\s+bericht|videresendt\s+(?:meddelelse|melding)|vidarebefordrat\s+meddelande|wiadomość\s+przekazana|mensagem\s+encaminhada|пересылаемое\s+сообщение|переслане\s+повідомлення)|begin\s+forwarded\s+message\s*:|début\s+du\s+message\s+réexpédié\s*:|anfang\s+der\s+weitergeleiteten\s+nachricht\s*:|inicio\s+del\s+mensaje\s+reenviado\s*:|inizio\s+messaggio\s+inoltrato\s*:|begin\s+doorgestuurd\s+bericht\s*:)/iu;

// Header names in Outlook-style quoted header blocks ("From: … Sent: … To: … Subject: …"), localized.
const FROM_KEYS =
  'from|von|de|van|da|fra|från|od|от|від|lähettäjä|feladó|kimden|afzender|remitente|mittente|expéditeur|发件人|寄件者|差出人|보낸\\s*사람';
const OTHER_KEYS =
  'sent|date|to|subject|cc|reply-to|gesendet|datum|an|betreff|envoyé|à|a|objet|enviado|enviada|fecha|para|asunto|assunto|' +
  'inviato|data|oggetto|verzonden|aan|onderwerp|sendt|dato|til|emne|skickat|till|ämne|wysłano|do|temat|отправлено|дата|' +
  'кому|тема|надіслано|发送时间|日期|收件人|主题|主旨|送信日時|宛先|件名|보낸\\s*날짜|받는\\s*사람|제목|lähetetty|' +
  'vastaanottaja|aihe|elküldve|címzett|tárgy|tarih|kime|konu';
// Outlook bolds the names in HTML ("*From:*" once converted to text).
export const FROM_HEADER = new RegExp(`^[\\s*]*(?:${FROM_KEYS})[\\s*]*[:：]`, 'iu');
export const ANY_HEADER = new RegExp(`^[\\s*]*(?:${FROM_KEYS}|${OTHER_KEYS})[\\s*]*[:：]`, 'iu');

/** A separator line Outlook and others draw above quoted headers ("________", "-----"). */
export const SEPARATOR = /^\s*(?:[-_=*]\s*){5,}$/u;

/** Signature delimiter: RFC 3676 "-- ", plus the bare "--" many clients send after trimming trailing space. */
export const SIG_DELIMITER = /^(?:-- ?|--\s*|—|__)\s*$/u;

/** Mobile and webmail footers ("Sent from my iPhone", "Envoyé de mon iPad", "Get Outlook for iOS", …). */
export const MOBILE_SIGNATURE = new RegExp(
  '^[\\s(<*_]*(?:' +
    [
      '(?:sent|send|envoyé|enviado|enviada|inviato|verzonden|verstuurd|gesendet|sendt|skickat|wysłane|wysłano|отправлено|надіслано|lähetetty)\\s+(?:from|via|with|by|using|depuis|de|desde|da|dal|vanaf|met|von|fra|från|z|с|з|em|med|mijn|iz)\\b',
      'von\\s+meinem\\b',
      'from\\s+my\\b',
      '\\S+\\s+from\\s+mobile\\b',
      'get\\s+\\[?outlook\\b',
      'télécharger\\s+outlook\\b',
      'diese\\s+nachricht\\s+wurde\\s+von\\b',
      '從我的',
      '从我的',
      'iphoneから送信',
      'my\\s+iphone\\b',
    ].join('|') +
    ')',
  'iu',
);
