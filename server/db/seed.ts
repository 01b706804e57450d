/** Base data every installation needs (agent roster, resolution templates as the first KB entries). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Models } from './models.js';
import type { Kb, ResolutionTemplate } from '../kb/entries.js';

export const seedsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../seeds');

export interface Roster {
  devCenters: string[];
  ai: { name: string; email: string; category: string }[];
  humans: { name: string; email: string; role: 'agent' | 'manager' | 'admin'; skills: string[] }[];
}

/** Reads a JSON Lines file. */
export function readJsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

export const loadRoster = (): Roster => JSON.parse(readFileSync(path.join(seedsDir, 'agents.json'), 'utf8'));
export const loadResolutions = () => readJsonl<ResolutionTemplate>(path.join(seedsDir, 'resolutions.jsonl'));

/** How employees describe each known issue: the seed tickets' subject and text, by issue. */
export const loadIssuePhrasings = () =>
  readJsonl<{ issue: string; subject?: string; text: string }>(path.join(seedsDir, 'training-tickets.jsonl')).map(
    (t) => ({ issue: t.issue, text: `${t.subject ?? ''}\n${t.text}` }),
  );

/** Creates missing agents and KB templates; safe to run at every start. */
export async function seedBase(models: Models, kb: Kb) {
  const roster = loadRoster();
  const existing = new Set((await models.Agent.findAll({ attributes: ['email'] })).map((a) => a.email));
  const rows = [
    ...roster.ai.map((a) => ({
      name: a.name,
      email: a.email,
      kind: 'ai' as const,
      category: a.category,
      skills: [a.category],
      role: 'agent' as const,
    })),
    ...roster.humans.map((h) => ({
      name: h.name,
      email: h.email,
      kind: 'human' as const,
      category: null,
      skills: h.skills,
      role: h.role,
    })),
  ].filter((r) => !existing.has(r.email));
  if (rows.length) await models.Agent.bulkCreate(rows);
  const phrasings = new Map<string, string[]>();
  for (const t of loadIssuePhrasings()) phrasings.set(t.issue, [...(phrasings.get(t.issue) ?? []), t.text]);
  const templates = await kb.seedTemplates(loadResolutions(), phrasings);
  return { agents: rows.length, templates };
}
