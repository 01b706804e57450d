/** The one Classifier interface both implementations (OpenAI, local) fulfil, and what they return. */
import type { Category, Intent, Level, Sentiment } from '../domain/vocabulary.js';

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
