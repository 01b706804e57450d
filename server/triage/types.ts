/** The triage vocabulary and the one Classifier interface both implementations (OpenAI, local) fulfil. */

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

export interface ClassifyInput {
  subject?: string;
  text: string;
  requester?: { name?: string; email?: string; devCenter?: string | null };
}

export interface Classification {
  category: Category;
  severity: Level;
  urgency: Level;
  /** Name of the agent the classifier suggests; routing has the final word. */
  suggestedAgent: string | null;
  sentiment: Sentiment;
  intent: Intent;
  complex: boolean;
  /** 0–1: how sure the classifier is of the category (calibrated for the local one). */
  confidence: number;
  summary: string;
  /** Which implementation decided: "openai:<model>" or "local". */
  classifier: string;
  /** Rule-detected signals, e.g. "critical:ransomware"; critical incidents never go to the AI agent. */
  signals: string[];
}

export interface Classifier {
  readonly name: string;
  classify(input: ClassifyInput): Promise<Classification>;
}

/** A labelled ticket the local classifier learns from (seeds plus agents' corrections). */
export interface TrainingExample {
  text: string;
  category: Category;
  severity: Level;
  urgency: Level;
}

export const levelRank = (l: Level) => LEVELS.indexOf(l);
export const isCategory = (v: unknown): v is Category => CATEGORIES.includes(v as Category);
export const isLevel = (v: unknown): v is Level => LEVELS.includes(v as Level);
