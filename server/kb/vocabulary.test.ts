/**
 * The KB vocabulary kept up to date from the change log equals one loaded from scratch, term for term, after
 * entries are added, edited, unpublished, republished and deleted — by the models and by plain SQL, as another
 * process or an import would. Runs on SQLite, and on MariaDB when DATABASE_URL says mysql.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../tests/support/db.js';
import { createVocabulary, type Vocabulary } from './vocabulary.js';
import { searchDocument } from './terms.js';

describe(`KB vocabulary (${process.env.DATABASE_URL?.split(':')[0] ?? 'sqlite'})`, () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => db?.cleanup());

  const entry = (title: string, resolution: string) =>
    db.models.KbEntry.create({
      title,
      query: title,
      resolution,
      category: 'Hardware / Device',
      severity: null,
      urgency: null,
      issue: null,
      source: 'ticket',
      sourceTicketId: null,
      searchText: searchDocument(title, resolution),
    });
  const view = (v: Vocabulary) => {
    const out: Record<string, number> = {};
    for (let len = 1; len <= 40; len++) for (const t of v.ofLength(len)) out[t] = v.df(t);
    return { terms: out, docs: v.docs() };
  };

  it('follows every kind of change exactly, whoever makes it', async () => {
    const a = await entry('Laptop battery drains fast', 'Replace the battery; check the charger');
    const b = await entry('Printer jams on tray two', 'Open the printer, clear the tray');
    await entry('VPN drops every hour', 'Renew the VPN certificate');
    const live = createVocabulary(db.sequelize);
    await live.refresh();
    expect(live.df('batteri')).toBe(1);
    const before = view(live);

    const c = await entry('Monitor flickers', 'Swap the monitor cable; the battery is fine');
    await a.update({ searchText: searchDocument('Laptop fan noise', 'Clean the fan'), title: 'Laptop fan noise' });
    await b.update({ published: false });
    await live.refresh();
    expect(live.df('fan')).toBe(1);
    expect(live.has('flicker')).toBe(true);
    await c.destroy();
    await b.update({ published: true });
    // Another writer, straight in SQL: the triggers log it all the same.
    await db.sequelize.query(`UPDATE kb_entries SET search_text = :t WHERE id = :id`, {
      replacements: { t: searchDocument('Printer offline', 'Restart the spooler'), id: b.id },
    });
    await live.refresh();

    const fresh = createVocabulary(db.sequelize);
    await fresh.refresh();
    expect(view(live)).toEqual(view(fresh));
    expect(view(live)).not.toEqual(before);
    expect(live.has('flicker')).toBe(false);
    expect(live.has('spooler')).toBe(true);
    expect(live.df('batteri')).toBe(0);
    expect(live.docs()).toBe(3);
  });
});
