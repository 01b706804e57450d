/**
 * The words every room shares: ticket categories, levels, statuses, routes, channels and the feedback scale. One
 * copy, at the bottom of the house, so the console, the emails, the widget and analytics cannot disagree. Pure
 * data: the browser bundles (widget, analytics page) import it too.
 */

export const CATEGORIES = [
  'Access & Authentication',
  'Networking & Connectivity',
  'Hardware / Device',
  'Software / Applications',
  'Collaboration Tools',
  'Security & Compliance',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type Level = (typeof LEVELS)[number];

export const SENTIMENTS = ['negative', 'neutral', 'positive'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];

export const INTENTS = ['incident', 'service_request', 'question', 'closure', 'other'] as const;
export type Intent = (typeof INTENTS)[number];

/** Who holds a ticket: the category's AI agent, an IT team member, or the unassigned pool. */
export const ROUTES = ['ai', 'it_team', 'pool'] as const;
export type Route = (typeof ROUTES)[number];

export const CHANNELS = ['email', 'widget', 'api'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * Ticket statuses. "open" covers the three ways a ticket is held (assigned, in the pool, answered by the AI agent);
 * route and assignee say which. The transitions between them live in tickets/lifecycle.ts.
 */
export const STATUSES = ['new', 'open', 'waiting_on_user', 'resolved', 'closed'] as const;
export type Status = (typeof STATUSES)[number];
/** Statuses in which a ticket still needs someone (queues, loads, escalation). */
export const OPEN_STATUSES: readonly Status[] = ['new', 'open', 'waiting_on_user'];

/** The feedback scale: score 1 is FEEDBACK_FACES[0]. */
export const FEEDBACK_FACES = ['😞', '🙁', '😐', '🙂', '😍'] as const;
/** What each face means, for screen readers and tooltips. */
export const FEEDBACK_LABELS = ['Very unhappy', 'Unhappy', 'Neutral', 'Happy', 'Delighted'] as const;
/** The face of a score from 1 to 5. */
export const faceOf = (score: number) => FEEDBACK_FACES[score - 1] ?? '';

export const levelRank = (l: Level) => LEVELS.indexOf(l);
export const isCategory = (v: unknown): v is Category => CATEGORIES.includes(v as Category);
export const isLevel = (v: unknown): v is Level => LEVELS.includes(v as Level);
export const isStatus = (v: unknown): v is Status => STATUSES.includes(v as Status);
export const isRoute = (v: unknown): v is Route => ROUTES.includes(v as Route);

/** Public reference from the ticket row id: IT-1001, IT-1002, … */
export const refFor = (id: number) => `IT-${1000 + id}`;
