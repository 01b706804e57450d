/**
 * Severity and urgency: the statistical model's guess, then readable cues that give the levels one meaning.
 * - low severity = affects one person and self-service can fix it: a how-to question or a request the portal
 *   handles is low; a problem a whole team, floor or hall shares is at least high;
 * - urgency = how soon IT must act: it starts at the severity; a stated deadline within hours makes it high, one
 *   today or tomorrow medium; "not urgent" makes it low; self-service without a deadline stays as low as the
 *   severity.
 * The safety rules' floors hold over everything (critical incidents stay critical whatever the cues say).
 * Patterns come from general helpdesk practice (ITIL impact × urgency), not from test sentences.
 */
import { levelRank, type Level } from '../../domain/vocabulary.js';
import { MANY, raise, type RuleResult } from './rules.js';

const NUM = '(\\d+|a few|a couple of|five|ten|fifteen|twenty|thirty|forty)';
// A deadline within hours: "in 20 minutes", "at 2pm", "by 11", "starts in", "asap", "right now".
const SOON = new RegExp(
  `\\b(in (the next )?${NUM} ?(min(ute)?s?|hours?|hrs?)|in (an|half an) hour|within (the|an) hour|(at|by) \\d{1,2}([:.]\\d\\d ?(am|pm)?| ?(am|pm|h|o'?clock))|at \\d{1,2}(?=\\s*(today|tomorrow|[.,!]|$))|(at|by) (noon|midday)|starts? (in|at)|right now|asap|(?<!(not|no|isn'?t) )urgent(ly)?|immediately|right away|emergency|(meeting|call|presentation|demo|webinar|town hall|interview|signing) (is )?now)\\b`,
  'i',
);
// A deadline today or tomorrow, or someone waiting on it.
const TODAY =
  /\b(today|tonight|this (afternoon|evening)|by (tomorrow|end of (the )?day|eod|close of business)|tomorrow (morning|at|before)|before (my|the|our) (meeting|call|demo|presentation|flight|trip)|(customer|client|boss|manager|auditor) is waiting|deadline)\b/i;
const NO_RUSH =
  /\b(not urgent|no rush|no hurry|when(ever)? you (have|get) (a )?(time|chance|minute)|low priority|next (week|month)|(in|within) (a|the next) few days|no big deal)\b/i;
// More than one person: the team, floor, hall or a count of people (rules.ts's MANY covers "everyone").
const TEAM =
  /\b((whole|entire) ([a-z]+ )?(team|department|dept|floor|office|site|plant|warehouse|hall|shift|group|branch)|everyone (in|on|at|from)|(all|both) (of )?(the )?(\d+ )?(people|users|staff|colleagues|agents|pickers|lines|printers|scanners|machines)|\d+ (people|users|staff|colleagues|of us|agents|employees|attendees|engineers|pickers)|(colleagues|others) (too|as well|also)|(several|many|multiple) (people|users|colleagues))\b/i;
// "Only me", "others are fine": one person after all.
const ALONE =
  /\b(only (me|mine)|just (me|mine)|(others|colleagues|everyone else|people around me|my colleagues) (are|is|seem|seems) fine|works for (others|colleagues|everyone else))\b/i;
const HOWTO = /\bhow (do|can|should|would) (i|we)\b|\bwhere (do|can) i (find|get)\b|\bis there a way\b/i;

/** An unsure "low" from the model becomes "medium": low sends a ticket towards the AI agent. */
const LOW_MIN_PROB = 0.5;

export interface LevelGuess {
  label: Level;
  proba: Float64Array;
}

/** Severity and urgency for a ticket, with the cues that decided them (recorded as `level:*` signals). */
export function decideLevels(
  severityGuess: LevelGuess,
  text: string,
  rules: Pick<RuleResult, 'intent' | 'floor' | 'urgencyFloor'>,
): { severity: Level; urgency: Level; cues: string[] } {
  const cues: string[] = [];
  // More than one person affected (a team, or the rules' "everyone", "whole company"): never self-service.
  const team = (TEAM.test(text) || MANY.test(text)) && !ALONE.test(text);
  const selfService = !team && (rules.intent === 'question' || rules.intent === 'service_request' || HOWTO.test(text));
  const soon = SOON.test(text);
  const today = !soon && TODAY.test(text);
  const noRush = NO_RUSH.test(text);

  let severity: Level =
    severityGuess.label === 'low' && severityGuess.proba[0]! < LOW_MIN_PROB ? 'medium' : severityGuess.label;
  if (selfService) {
    severity = 'low';
    cues.push('level:self-service');
  }
  if (team) {
    // "Is this known? Same for everybody" asks about a shared failure: never low, high unless only a question.
    severity = raise(severity, rules.intent === 'question' ? 'medium' : 'high');
    cues.push('level:team');
  }
  severity = raise(severity, rules.floor);

  let urgency: Level = severity;
  if (soon) {
    urgency = raise(urgency, 'high');
    cues.push('level:deadline-hours');
  } else if (today) {
    urgency = raise(urgency, 'medium');
    cues.push('level:deadline-today');
  }
  if (noRush && levelRank(urgency) <= 1) {
    urgency = 'low';
    cues.push('level:no-rush');
  }
  urgency = raise(urgency, rules.urgencyFloor ?? rules.floor);
  return { severity, urgency, cues };
}
