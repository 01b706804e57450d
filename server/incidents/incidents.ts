/**
 * The incidents room: major incidents, their children (links to tickets) and their updates, and detection
 * (detect.ts). It never reads or writes tickets: the ticket service calls it inside its own transactions, hands it
 * what it needs about a ticket, and changes the tickets itself. Writes take the caller's transaction; reads return
 * plain rows.
 */
import { UniqueConstraintError, type Transaction } from 'sequelize';
import { AppError } from '../errors.js';
import { createDetection, type DetectConfig, type IncidentDraft } from './detect.js';
import { createFastDetection } from './detect-sql.js';
import type { IssueTraits, Signal } from './match.js';
import type { Incident, IncidentModels, IncidentUpdate } from './models.js';
import { createKnown, type IssueRanker } from './known.js';
import { createIncidentReads } from './reads.js';
import { incidentId, incidentRef, updateRow, type ChildInput } from './rows.js';
import { fold, type Words } from './words.js';

export * from './rows.js';

export function createIncidents(d: {
  models: IncidentModels;
  traits: IssueTraits;
  words: Words;
  issues: IssueRanker;
  config: DetectConfig;
  clock: () => Date;
}) {
  const { Incident, IncidentLink, IncidentUpdate } = d.models;
  const detection = createDetection(d);
  const known = createKnown({ ...d });
  const reads = createIncidentReads(d.models);

  async function addUpdate(
    t: Transaction,
    incidentId: number,
    kind: IncidentUpdate['kind'],
    text: string,
    actor: string,
    recipients = 0,
  ) {
    return updateRow(
      await IncidentUpdate.create(
        { incidentId, kind, text, actor: actor.slice(0, 120), recipients, createdAt: d.clock() },
        { transaction: t },
      ),
    );
  }

  async function addChild(t: Transaction, incident: Incident, c: ChildInput) {
    const values = {
      incidentId: incident.id,
      ticketId: c.ticketId,
      ticketRef: c.ticketRef,
      requesterEmail: c.requesterEmail.toLowerCase(),
      requesterName: c.requesterName,
      devCenter: c.devCenter,
      channel: c.channel,
      how: c.how,
      ticketCreatedAt: c.ticketCreatedAt,
      linkedBy: c.linkedBy.slice(0, 120),
      leftAt: null,
    };
    // A ticket that left an earlier incident (reopened after it was resolved) may be linked again.
    const prior = await IncidentLink.findOne({ where: { ticketId: c.ticketId }, transaction: t, lock: t.LOCK.UPDATE });
    if (prior && !prior.leftAt) throw new AppError('invalid_transition', `${c.ticketRef} is already in an incident.`);
    if (prior) await prior.update({ ...values, createdAt: d.clock() }, { transaction: t });
    else await IncidentLink.create({ ...values, createdAt: d.clock() }, { transaction: t });
    if (c.terms) await incident.update({ profile: fold(incident.profile, c.terms) }, { transaction: t });
  }

  const api = {
    detection,
    /** Detection through the fast create path's own SQL: tells "nothing to do" from "an incident" (detect-sql.ts). */
    fastDetection: createFastDetection(d),
    known: known.list,
    /** A triaged ticket as detection compares it (its words weighed here). */
    signal(x: {
      ticketId: number;
      requesterEmail: string;
      category: string;
      devCenter: string | null;
      text: string;
      issue: { name: string; strength: number } | null;
      runnerUp: { name: string; strength: number } | null;
      createdAt: Date;
    }): Signal {
      return {
        ticketId: x.ticketId,
        requesterKey: x.requesterEmail.toLowerCase(),
        category: x.category,
        devCenter: x.devCenter,
        issue: x.issue?.name ?? null,
        issueZ: x.issue?.strength ?? null,
        runner: x.runnerUp?.name ?? null,
        runnerZ: x.runnerUp?.strength ?? null,
        terms: d.words.terms(x.text),
        createdAt: x.createdAt,
      };
    },
    /** An incident by ref (MI-12) or id, locked for update inside t. */
    async lock(t: Transaction, ref: string | number): Promise<Incident> {
      const id = incidentId(ref);
      const i = id && (await Incident.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE }));
      if (!i) throw new AppError('not_found', `No incident ${ref}.`);
      return i;
    },

    /**
     * Opens an incident with its first children. Null when the unique key says an open incident for the same
     * problem exists already (the caller then joins that one).
     */
    async open(
      t: Transaction,
      draft: IncidentDraft,
      o: { assigneeId: number | null; severity: 'high' | 'critical'; children: ChildInput[]; actor: string },
    ): Promise<Incident | null> {
      let i: Incident;
      try {
        i = await Incident.create(
          { ...draft, ref: null, status: 'open', severity: o.severity, assigneeId: o.assigneeId, createdAt: d.clock() },
          { transaction: t },
        );
      } catch (err) {
        if (err instanceof UniqueConstraintError) return null;
        throw err;
      }
      await i.update({ ref: incidentRef(i.id) }, { transaction: t });
      for (const c of o.children) await addChild(t, i, { ...c, terms: undefined });
      await detection.absorb(
        t,
        o.children.map((c) => c.ticketId),
        i.id,
      );
      await addUpdate(t, i.id, 'opened', `${o.children.length} reports of one problem: ${i.title}.`, o.actor);
      known.invalidate();
      return i;
    },

    /** The open incident with this unique key (what a refused open() collided with). */
    byOpenKey: (t: Transaction, key: string) =>
      Incident.findOne({ where: { openKey: key, status: 'open' }, transaction: t, lock: t.LOCK.UPDATE }),

    /** Links one more ticket; its words join the incident's profile when given. */
    async link(t: Transaction, incident: Incident, c: ChildInput) {
      if (incident.status !== 'open') throw new AppError('invalid_transition', `${incident.ref} is not open.`);
      await addChild(t, incident, c);
      await detection.absorb(t, [c.ticketId], incident.id);
      if (c.how === 'manual') await addUpdate(t, incident.id, 'linked', `${c.ticketRef} linked by hand.`, c.linkedBy);
    },

    /** Removes a child that turned out to be something else. */
    async unlink(t: Transaction, incident: Incident, ticketId: number, actor: string) {
      const l = await IncidentLink.findOne({ where: { incidentId: incident.id, ticketId }, transaction: t });
      if (!l || l.leftAt) throw new AppError('not_found', `That ticket is not a child of ${incident.ref}.`);
      await l.destroy({ transaction: t });
      await addUpdate(t, incident.id, 'unlinked', `${l.ticketRef} unlinked: it is about something else.`, actor);
    },

    /** A child reopened after the incident was resolved: it is its own ticket again (still counted as absorbed). */
    async leave(t: Transaction, ticketId: number) {
      await IncidentLink.update({ leftAt: d.clock() }, { where: { ticketId, leftAt: null }, transaction: t });
    },

    addUpdate,

    /** Marks the incident resolved (the ticket service resolves the children). */
    async resolve(t: Transaction, incident: Incident, resolution: string, actor: string, recipients: number) {
      await incident.update(
        { status: 'resolved', resolution, resolvedAt: d.clock(), openKey: null },
        { transaction: t },
      );
      await addUpdate(t, incident.id, 'resolution', resolution, actor, recipients);
      known.invalidate();
    },

    /** Moves every child of `from` into `into`; `from` is closed as merged. */
    async merge(t: Transaction, from: Incident, into: Incident, actor: string) {
      if (from.id === into.id) throw new AppError('validation_failed', 'An incident cannot be merged into itself.');
      if (from.status !== 'open' || into.status !== 'open')
        throw new AppError('invalid_transition', 'Only open incidents can be merged.');
      await IncidentLink.update(
        { incidentId: into.id },
        { where: { incidentId: from.id, leftAt: null }, transaction: t },
      );
      const merged = fold(into.profile, from.profile.terms);
      const firstTicketAt = new Date(Math.min(from.firstTicketAt.getTime(), into.firstTicketAt.getTime()));
      await into.update(
        { profile: { ...merged, n: into.profile.n + from.profile.n }, firstTicketAt },
        { transaction: t },
      );
      await from.update({ status: 'merged', mergedIntoId: into.id, openKey: null }, { transaction: t });
      await detection.absorb(t, await reads.childIds(into.id, t), into.id);
      await addUpdate(t, into.id, 'merged', `${from.ref} (${from.title}) merged into this incident.`, actor);
      await addUpdate(t, from.id, 'merged', `Merged into ${into.ref}.`, actor);
      known.invalidate();
    },

    /** Renames (the title is public: the widget and /kb show it). */
    async rename(t: Transaction, incident: Incident, title: string, actor: string) {
      const clean = title.replace(/\s+/g, ' ').trim().slice(0, 200);
      if (!clean) throw new AppError('validation_failed', undefined, { fields: { title: 'required' } });
      await incident.update({ title: clean }, { transaction: t });
      await addUpdate(t, incident.id, 'renamed', `Renamed: ${clean}`, actor);
      known.invalidate();
    },

    ...reads,
  };
  return api;
}

export type Incidents = ReturnType<typeof createIncidents>;
export type { Incident };
