/**
 * The seed files (seeds/): the agent roster and development centres, the resolution templates that start the
 * knowledge base, and the training tickets. Read by the composition root and the CLIs, handed to the rooms.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RosterFile } from './agents/agents.js';
import type { Category, Level } from './domain/vocabulary.js';
import type { ResolutionTemplate } from './kb/entries.js';

export const seedsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../seeds');

/** One labelled training ticket (seeds/training-tickets.jsonl). */
export interface SeedTicket {
  category: Category;
  issue: string;
  subject?: string;
  text: string;
  severity: Level;
  urgency: Level;
}

/** Reads a JSON Lines file. */
export function readJsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

export const loadRoster = (): RosterFile => JSON.parse(readFileSync(path.join(seedsDir, 'agents.json'), 'utf8'));
export const loadResolutions = () => readJsonl<ResolutionTemplate>(path.join(seedsDir, 'resolutions.jsonl'));
export const loadSeedTickets = () => readJsonl<SeedTicket>(path.join(seedsDir, 'training-tickets.jsonl'));

/** How employees describe each known issue: the seed tickets' subject and text, by issue. */
export const loadIssuePhrasings = () =>
  loadSeedTickets().map((t) => ({ issue: t.issue, text: `${t.subject ?? ''}\n${t.text}` }));

/**
 * More ways people describe each known issue (seeds/issue-phrasings.jsonl): short requests in many voices, for the
 * issue model only. Kept apart from the training tickets, which the category classifier learns from and the triage
 * hold-out measures.
 */
export const loadExtraPhrasings = () =>
  readJsonl<{ issue: string; text: string }>(path.join(seedsDir, 'issue-phrasings.jsonl'));
/** Known issues that many people can have at once, with their scope and outage title (seeds/incident-issues.json). */
export function loadIncidentIssues(): Map<string, { scope: 'centre' | 'global'; title: string }> {
  const f = JSON.parse(readFileSync(path.join(seedsDir, 'incident-issues.json'), 'utf8')) as {
    issues: Record<string, { scope: 'centre' | 'global'; title: string }>;
  };
  return new Map(Object.entries(f.issues));
}
