/** KB search latency at 100,000 entries, on SQLite and MariaDB, through the same search the API uses. */
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Sequelize } from 'sequelize';
import { createDatabase } from '../server/db/database.js';
import { migrateUp } from '../server/db/migrate.js';
import { initModels } from '../server/db/models.js';
import { createKbSearch } from '../server/kb/search.js';
import { createKb } from '../server/kb/entries.js';
import { createIssueModel } from '../server/kb/issue-model.js';
import { searchDocument } from '../server/kb/terms.js';
import { loadIssuePhrasings, loadResolutions, readJsonl } from '../server/seeds.js';
import { percentile, round, type Figure } from './util.js';

async function database(dialect: 'sqlite' | 'mysql') {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'hd-bench-kb-'));
    return { url: `sqlite:${dir}/kb.sqlite`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const admin = new Sequelize('mysql://root@127.0.0.1:3306/', { dialect: 'mysql', logging: false });
  await admin.query('DROP DATABASE IF EXISTS hd_bench_kb');
  await admin.query('CREATE DATABASE hd_bench_kb CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
  return {
    url: 'mysql://root@127.0.0.1:3306/hd_bench_kb',
    drop: async () => {
      await admin.query('DROP DATABASE IF EXISTS hd_bench_kb');
      await admin.close();
    },
  };
}

/** Loads `entries` KB entries and measures search over the paraphrased query set. */
export async function benchKb(root: string, dialect: 'sqlite' | 'mysql', entries: number): Promise<Figure[]> {
  const db = await database(dialect);
  const sequelize = createDatabase(db.url);
  try {
    await migrateUp(sequelize);
    const models = initModels(sequelize);
    const phrasings = loadIssuePhrasings();
    const issueModel = createIssueModel(phrasings);
    const search = createKbSearch({ sequelize, issueHint: (q) => issueModel.rank(q) });
    const kb = createKb({ models, search });
    await kb.seedTemplates(loadResolutions());
    const resolutions = loadResolutions();
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const t0 = performance.now();
    for (let done = 0; done < entries; done += 1000) {
      const rows = Array.from({ length: Math.min(1000, entries - done) }, () => {
        const p = phrasings[Math.floor(rnd() * phrasings.length)]!;
        const r = resolutions[Math.floor(rnd() * resolutions.length)]!;
        const title = p.text.replace(/\s+/g, ' ').trim().split(' ').slice(0, 9).join(' ');
        return {
          title,
          query: p.text,
          resolution: r.resolution,
          category: r.category,
          severity: 'low',
          urgency: 'low',
          issue: null,
          source: 'ticket' as const,
          sourceTicketId: null,
          searchText: searchDocument(title, p.text, r.resolution),
        };
      });
      await models.KbEntry.bulkCreate(rows);
    }
    const loadS = (performance.now() - t0) / 1000;
    const queries = readJsonl<{ query: string }>(path.join(root, 'tests/fixtures/kb-queries.jsonl')).map(
      (q) => q.query,
    );
    const w0 = performance.now();
    await search.search(queries[0]!); // first search loads the vocabulary
    const warm = performance.now() - w0;
    const times: number[] = [];
    for (let round_ = 0; round_ < 3; round_++) {
      for (const q of queries) {
        const s = performance.now();
        await search.search(q, { limit: 5 });
        times.push(performance.now() - s);
      }
    }
    // A KB change, then the next search: it brings the vocabulary up to date first (the edit's own words).
    const afterChange: number[] = [];
    for (let i = 0; i < 7; i++) {
      const id = 1 + Math.floor(rnd() * entries);
      await kb.update(id, { resolution: `${resolutions[i]!.resolution} (revised ${i}: zebrafish${i} quokka)` });
      const s = performance.now();
      await search.search(queries[i]!, { limit: 5 });
      afterChange.push(performance.now() - s);
    }
    return [
      {
        name: `KB search right after a KB change, ${entries.toLocaleString('en')} entries (${dialect === 'sqlite' ? 'SQLite' : 'MariaDB'})`,
        value: round(percentile(afterChange, 50), 1),
        unit: 'ms (p50)',
        note: `the vocabulary refresh included; a search without a change: p50 ${round(percentile(times, 50), 1)} ms`,
      },
      {
        name: `KB search p95 at ${entries.toLocaleString('en')} entries (${dialect === 'sqlite' ? 'SQLite FTS5' : 'MariaDB FULLTEXT'})`,
        value: round(percentile(times, 95), 1),
        unit: 'ms',
        target: '≤ 20',
        note: `p50 ${round(percentile(times, 50), 1)} ms, ${times.length} searches; load ${round(loadS, 0)} s; vocabulary warm-up ${round(warm, 0)} ms`,
      },
    ];
  } finally {
    await sequelize.close();
    await db.drop();
  }
}
