/**
 * Readable safety rules layered over the statistical model. They can only add signals and raise
 * severity/urgency, never lower them, so text in a ticket cannot talk its way to the AI agent.
 * Patterns come from general IT-incident knowledge, not from any test sentences.
 */
import { levelRank, type Category, type Intent, type Level, type Sentiment } from '../../domain/vocabulary.js';
import { hasInjection, stripEmailNoise } from '../../text/tokenize.js';

// "Many people" — the blast radius that turns a fault into an outage.
export const MANY =
  /\b(every(one|body)|all (of )?(us|users|staff|employees|colleagues|people|teams?|departments?|sites?|branches|offices|machines|pcs|computers|laptops|devices|workstations)|nobody|no ?one|(whole|entire|complete) (office|floor|building|site|company|branch|department|team|organi[sz]ation|plant|warehouse|network|campus)|company[- ]wide|across (the|all) (company|sites|offices)|\d{2,} (people|users|staff|employees|colleagues|of us|pcs|computers))\b/i;
const FAILING =
  /\b(down|outage|offline|not (working|loading|connecting|responding|reachable|available)|can(no|')?t|unable|no (internet|network|connection|access|wi-?fi|email|phones?)|fail(s|ed|ing)?|stopped|broken|dead|unreachable|lost (access|connection))\b/i;
// Systems whose failure halts the business rather than one person.
const BUSINESS_SYSTEM =
  /\b(sap|erp|payroll|production( line| system| server)?|assembly line|warehouse|wms|mes|pos|point of sale|tills?|checkout|billing|invoicing|webshop|online shop|e-?commerce|website|call cent(er|re)|crm|shipping|dispatch)\b/i;
const SYSTEM_DOWN =
  /\b(is|are|went|has gone|completely|totally|all)? ?(down|outage|offline|not (working|available|responding)|stopped|unavailable|unreachable|crash(ed|ing)|halted|standstill|standing still)\b/i;
const RANSOMWARE =
  /\b(ransom(ware)?|decrypt(ion)? (key|tool|note|instructions)|how[_ -]to[_ -](decrypt|restore|recover)|(files?|shares?|drives?|folders?|documents?|data|server|nas)\b[^.\n]{0,40}\b(were|are|have been|has been|got|been|all|now)\s+(now\s+)?encrypted|(pay|paid|payment) in (bitcoin|btc|crypto)|(recover|restore|decrypt)[-_ ]?(your[-_ ]?)?files|\b(files?|documents?)\b[^.\n]{0,60}\b(renamed|extension|extensions|ending in)\b[^\n]{0,30}\.[a-z0-9]{2,10}\b)/i;
const MALWARE_SPREADING =
  /\b(virus|malware|worm|trojan|infect(ed|ion))\b[^.\n]{0,80}\b(spread(ing|s)?|other (pcs|computers|machines|laptops|devices)|several|multiple|many|all (pcs|computers|machines))\b|\b(spread(ing|s)?)\b[^.\n]{0,40}\b(virus|malware|worm|infection)\b|\b(virus|malware|trojan|threat|infection)\b[^.\n]{0,80}\b(same|\d+|several|multiple) (alert|warning|pcs|computers|machines|colleagues)\b/i;
const DEVICE =
  '(laptop|notebook|macbook|phone|iphone|smartphone|mobile|tablet|ipad|device|usb (stick|drive)|hard ?drive|computer|pc|bag|backpack)(?! ?(charger|cable|adapter|power|case|sleeve|stand|dock|mouse))';
const LOST_DEVICE = new RegExp(
  `\\b(stolen|theft|robbed|burglar\\w*|pickpocket\\w*)\\b|\\b(lost|misplaced|can(no|')?t find)\\s+(my\\s+|our\\s+|the\\s+|a\\s+)?(work\\s+|company\\s+|business\\s+)?${DEVICE}\\b|\\b(left|forgot)\\b[^.\\n]{0,25}\\b${DEVICE}\\b[^.\\n]{0,40}\\b(train|taxi|cab|bus|plane|flight|airport|hotel|restaurant|station|uber|somewhere)|\\b${DEVICE}\\b[^.\\n]{0,30}\\b(is|was|got|has been|went) (lost|missing|stolen|taken|gone)\\b`,
  'i',
);
const COMPROMISED =
  /\b(hacked|compromised|hijacked|taken over|account takeover)\b|\bsomeone (else )?(has )?(logged|signed) (in|into)\b|\b(sending|sent|posted|posting)\b[^.\n]{0,60}\b(i did(n'?t| not)|i never|not me|without me)\b|\b(i )?never sent\b|\b(emails?|messages?|mails?) from me\b[^.\n]{0,30}\b(never|didn'?t|did not)|\b(i did(n'?t| not)|wasn'?t me)\b[^.\n]{0,40}\b(send|sent|log(ged)? ?in|approve|create)|\b(mfa|2fa|authenticator|push|sign-?in) (requests?|prompts?|pushes|notifications?|approvals?)\b[^.\n]{0,40}\b(i did(n'?t| not)|not me|keep (coming|popping))|\b(unknown|unusual|suspicious|foreign) (sign-?ins?|log-?ins?|login attempts?|activity|forwarding rules?|inbox rules?)\b|\b(sign-?in|log-?in|logged in)\b[^.\n]{0,30}\bfrom\b[^.\n]{0,60}\b(never been|not me|wasn'?t me|didn'?t travel)|\b(don'?t|do not|didn'?t|did not) recogni[sz]e\b/i;
const PHISHED =
  /\b(entered|typed|gave|put|submitted|provided|filled in|logged in with|used)\b[^.\n]{0,40}\b(password|credentials|login|log-?in details|pin|mfa code|one-time code|otp|card details|bank details)\b|\b(clicked|opened|scanned|followed)\b[^.\n]{0,60}\b(and|then)\b[^.\n]{0,20}\b(logged in|signed in|entered)\b/i;
const PHISH_CONTEXT =
  /\b(phish\w*|qr|link|fake|suspicious|spoof\w*|scam|page|site|website|form|email|mail|message|sms|text)\b/i;

// Indicators of compromise a SOC would treat as an intrusion until proven otherwise.
const INTRUSION =
  /\b(unknown|unrecogni[sz]ed|unexpected|rogue|new)\b[^.\n]{0,20}\b(global |domain |tenant )?(admins?|administrators?)\b[^.\n]{0,40}\b(nobody|no one|not|who|appeared|added|created)\b|\b(unknown|unrecogni[sz]ed|rogue)\b[^.\n]{0,20}\b(global |domain )?(admins?|administrators?|sign-?ins?|log-?ins?|forwarding rules?)\b|\bunauthori[sz]ed (access|log-?ins?|sign-?ins?|changes?|admin)\b|\btor (network|exit|nodes?|browser|traffic|relays?)\b|\b(connections?|traffic|connecting) to tor\b|\b(c2 server|command[- ]and[- ]control|beacon(ing)?|exfiltrat\w*|crypto-?min(er|ing)|web ?shell|backdoor|keylogger|rootkit|lateral movement)\b/i;
const DATA_BREACH =
  /\b(data (breach|leak)|leaked|(is |are |being )?(for sale|sold) (on|online)|for sale|dark ?web|paste ?bin|published online|exposed (publicly|online|to the internet)|publicly (accessible|available|exposed))\b/i;
// Lower-grade security matters: not critical, but never something the AI agent should answer alone.
const ATTACK_ATTEMPT =
  /\bsomeone (is |keeps )?(trying|guessing|attempting)\b|\b(brute[- ]?force|password spray\w*|credential stuffing)\b/i;
const PHYSICAL =
  /\b(stranger|intruder|tailgat\w*|unknown (person|man|woman|visitor|people)|unescorted|door (was |is )?(held|left|propped) open)\b/i;
const INSIDER =
  /\b(ex-?employee|former (employee|colleague|staff|contractor)|(who|that|he|she) left the company|leaver)\b[^.\n]{0,60}\bstill\b[^.\n]{0,30}\b(has|have|access\w*|download\w*|log(ged|s|ging)? ?in|copy\w*|using|sign(ed|s|ing)? ?in)\b/i;
// People state priority themselves ("P1", "sev 1", "major incident"); believe it upwards only.
const STATED_PRIORITY = /\b(p1|prio(rity)? ?1|sev(erity)? ?1|major incident)\b/i;

// "Nobody can sign in", "no one is able to print": the negation carries the failure.
const NOBODY_CAN =
  /\b(nobody|no ?one)\b[^.\n]{0,40}\b(can|could|is able to|are able to)\s+(do|make|log|sign|connect|print|access|work|reach|open|use|send|receive|load|start|join|see|get (in|into|on|to))/i;

/** A critical-incident kind, the floor it puts under severity (and urgency, unless `urgent` says more). */
interface CriticalRule {
  kind: string;
  floor: Level;
  /** Urgency floor when an incident is more urgent than it is severe (the clock runs on phished credentials). */
  urgent?: Level;
  test: (text: string) => boolean;
}

/** Top to bottom; every match adds a `critical:<kind>` signal (outage and system-down are not security). */
export const CRITICAL_RULES: readonly CriticalRule[] = [
  { kind: 'ransomware', floor: 'critical', test: (t) => RANSOMWARE.test(t) },
  { kind: 'malware-spreading', floor: 'critical', test: (t) => MALWARE_SPREADING.test(t) },
  { kind: 'account-compromise', floor: 'critical', test: (t) => COMPROMISED.test(t) },
  {
    kind: 'credentials-phished',
    floor: 'high',
    urgent: 'critical',
    test: (t) => PHISHED.test(t) && PHISH_CONTEXT.test(t),
  },
  { kind: 'lost-device', floor: 'high', test: (t) => LOST_DEVICE.test(t) },
  { kind: 'intrusion', floor: 'high', urgent: 'critical', test: (t) => INTRUSION.test(t) },
  { kind: 'data-breach', floor: 'critical', test: (t) => DATA_BREACH.test(t) },
  { kind: 'outage', floor: 'critical', test: (t) => sameSentence(t, MANY, FAILING) || NOBODY_CAN.test(t) },
  { kind: 'business-system-down', floor: 'critical', test: (t) => sameSentence(t, BUSINESS_SYSTEM, SYSTEM_DOWN) },
];

/** Non-critical `security:<kind>` signals: medium floor, category Security. */
export const SECURITY_RULES: readonly CriticalRule[] = [
  { kind: 'attack-attempt', floor: 'medium', test: (t) => ATTACK_ATTEMPT.test(t) },
  { kind: 'physical', floor: 'medium', test: (t) => PHYSICAL.test(t) },
  { kind: 'insider', floor: 'high', test: (t) => INSIDER.test(t) },
];
const NOT_SECURITY = new Set(['outage', 'business-system-down']);

const sentences = (t: string) => t.split(/(?<=[.!?])\s+|\n+/);
const sameSentence = (t: string, a: RegExp, b: RegExp) => sentences(t).some((s) => a.test(s) && b.test(s));

const CLOSURE =
  /\b(that (fixed|solved|sorted|did) it|(it'?s |it is |all )?(works?|working|fixed|resolved|sorted|solved) now|now it works|you can close|(please |pls )?close (the|this|my) (ticket|request|case)|(issue|problem) (is |has been )?(fixed|resolved|solved|gone)|all good now|never ?mind|no longer (needed|an issue|required)|problem went away|no need anymore)\b/i;
const STILL_BROKEN = /\b(still|again|not|n'?t)\b[^.\n]{0,20}\b(work|fixed|resolved)/i;
const INCIDENT =
  /\b(error|not (working|loading|opening|printing|connecting|starting|syncing|responding|charging)|doesn'?t|does not|won'?t|can(no|')?t|unable|fail\w*|crash\w*|freez\w*|frozen|hangs?|broken|stopped|down|outage|offline|slow|lost|missing|stuck|locked out|disappeared|hacked|stolen|virus|malware|trojan|phish\w*|suspicious|strange|weird|cracked|dead|blue screen|affected|alert|spam|issue|problem|no longer|keeps? \w+ing|expired|rejected|refused|denied|blocked|quarantined|forever|vanished|bounc(e|es|ed|ing)|no signal|greyed out|flicker\w*|disconnect\w*|drop(s|ping|ped)( out)?)\b/i;
const QUESTION_START =
  /^\s*(how|what|where|which|who|why|when|is (it|there)|are there|do (we|i|you)|does|can i|could you (tell|explain)|am i allowed)\b/i;
const REQUEST =
  /\b(request(ing)?|please (install|create|add|give|grant|set up|setup|order|provide|enable|share|remove|change)|(i|we) (would like|need|want)|can (i|we|you) (get|have|please)|could (i|we|you) (get|have|please)|need (a|an|access|new|to get)|new (hire|starter|joiner|laptop|monitor|account)|access to|install(ed|ing)?|set ?up|order|(add|remove) me|take me off|(i'?d|we'?d) like)\b/i;

/** incident | service_request | question | closure | other, by keyword precedence. */
export function detectIntent(text: string): Intent {
  const body = stripEmailNoise(text);
  if (CLOSURE.test(body) && !STILL_BROKEN.test(body)) return 'closure';
  if (INCIDENT.test(body) || CRITICAL_RULES.some((r) => r.test(body))) return 'incident';
  const firstLine = body.split('\n').find((l) => l.trim()) ?? '';
  if (QUESTION_START.test(firstLine) || QUESTION_START.test(text)) return 'question';
  if (REQUEST.test(body)) return 'service_request';
  if (body.includes('?')) return 'question';
  return 'other';
}

const NEGATIVE =
  /\b(still (not|doesn'?t|won'?t|can'?t|broken|failing)|again|frustrat\w*|annoy\w*|ridiculous|unacceptable|terrible|awful|useless|angry|furious|disappoint\w*|fed up|sick of|waste of|worst|(third|fourth|\d+(st|nd|rd|th)) time|nobody (has )?(answered|responded|replied|helped)|no one (has )?(answered|responded|replied|helped)|asap|urgent|desperate|panic\w*|horrible|can'?t work)\b|!{2,}/i;
const POSITIVE =
  /\b(thanks? (so much|a lot|for (your|the) (help|quick|fast))|thank you (so much|very much|for (your|the))|much appreciated|appreciate|great|awesome|perfect|brilliant|excellent|amazing|love|lifesaver|fantastic|works now|fixed it|solved it)\b/i;

/** negative | neutral | positive from a small lexicon; a plain "thanks" sign-off stays neutral. */
export function detectSentiment(text: string): Sentiment {
  const neg = (text.match(new RegExp(NEGATIVE.source, 'gi')) ?? []).length;
  const pos = (text.match(new RegExp(POSITIVE.source, 'gi')) ?? []).length;
  if (neg > pos) return 'negative';
  if (pos > 0 && pos >= neg) return 'positive';
  return 'neutral';
}

// Distinct problem areas; a ticket touching three or more at once needs a human to untangle it.
const AREAS = [
  /\b(password|login|log in|sign in|mfa|2fa|account|locked out|sso)\b/i,
  /\b(wi-?fi|vpn|network|internet|dns|proxy|firewall|ethernet)\b/i,
  /\b(printer|monitor|laptop|dock|keyboard|mouse|battery|screen|headset)\b/i,
  /\b(excel|word|outlook client|sap|install|licen[cs]e|update|crash|app(lication)?)\b/i,
  /\b(teams|email|mailbox|calendar|sharepoint|meeting|distribution list)\b/i,
  /\b(phish\w*|virus|malware|ransom\w*|encrypt\w*|breach|gdpr)\b/i,
];
const SEVERAL_PROBLEMS =
  /\b(also|another (issue|problem)|second (issue|problem)|on top of (that|this)|in addition|additionally|and now)\b[^.\n]{0,60}\b(not|can'?t|won'?t|error|fail\w*|broken|issue|problem)\b|^\s*(\d[.)]|[-*•])\s.+\n\s*(\d[.)]|[-*•])\s/im;

/** complex: several distinct problems, many people affected, or a long multi-system description. */
export function detectComplex(text: string): boolean {
  const areas = AREAS.filter((a) => a.test(text)).length;
  if (MANY.test(text) && FAILING.test(text)) return true;
  if (SEVERAL_PROBLEMS.test(text) && areas >= 2) return true;
  return areas >= 3 && text.length > 500;
}

/** First meaningful sentence of the body (greeting and signature removed), ~160 chars max. */
export function summarize(subject: string | undefined, text: string): string {
  const body = stripEmailNoise(text).replace(/\s+/g, ' ').trim();
  const first =
    sentences(body)
      .find((s) => s.trim().split(/\s+/).length >= 3)
      ?.trim() ?? '';
  const s = first || subject?.trim() || body;
  if (s.length <= 160) return s;
  const cut = s.slice(0, 159);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 120))}…`;
}

export interface RuleResult {
  signals: string[];
  /** Lowest severity/urgency the rules allow (null: no floor). */
  floor: Level | null;
  /** Lowest urgency the rules allow: at least `floor`, higher for incidents where minutes count. */
  urgencyFloor: Level | null;
  /** Set when a security signal fired: such tickets belong to Security whatever the topic words say. */
  category: Category | null;
  complex: boolean;
  intent: Intent;
  sentiment: Sentiment;
}

/** Runs every rule on the raw ticket text (subject + body). */
export function applyRules(text: string): RuleResult {
  const signals: string[] = [];
  let floor: Level | null = null;
  let urgencyFloor: Level | null = null;
  let category: Category | null = null;
  const lift = (l: Level) => (floor = raise(l, floor));
  for (const [prefix, rules] of [
    ['critical', CRITICAL_RULES],
    ['security', SECURITY_RULES],
  ] as const) {
    for (const r of rules) {
      if (!r.test(text)) continue;
      signals.push(`${prefix}:${r.kind}`);
      lift(r.floor);
      urgencyFloor = raise(r.urgent ?? r.floor, urgencyFloor);
      if (!NOT_SECURITY.has(r.kind)) category = 'Security & Compliance';
    }
  }
  if (STATED_PRIORITY.test(text)) {
    signals.push('stated-priority');
    lift('high');
    urgencyFloor = raise('high', urgencyFloor);
  }
  if (hasInjection(text)) signals.push('suspicious:prompt-injection');
  return {
    signals,
    floor,
    urgencyFloor,
    category,
    complex: signals.some((s) => s.startsWith('critical:')) || detectComplex(text),
    intent: detectIntent(text),
    sentiment: detectSentiment(text),
  };
}

/** The higher of two levels (rules only ever raise). */
export const raise = (a: Level, b: Level | null): Level => (b !== null && levelRank(b) > levelRank(a) ? b : a);
