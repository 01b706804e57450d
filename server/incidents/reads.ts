/** Reads of incidents, their children and their updates, as plain rows (rows.ts). */
import { Op, type Transaction } from 'sequelize';
import type { IncidentModels } from './models.js';
import { incidentId, linkRow, row, updateRow, type IncidentRow, type LinkRow, type UpdateRow } from './rows.js';

export function createIncidentReads(models: IncidentModels) {
  const { Incident, IncidentLink, IncidentUpdate } = models;
  const reads = {
    async find(ref: string | number): Promise<IncidentRow | null> {
      const id = incidentId(ref);
      const i = id ? await Incident.findByPk(id) : null;
      return i ? row(i) : null;
    },
    /** Incidents, newest first, with their number of current children. */
    async list(f: { status?: IncidentRow['status'][] } = {}, limit = 200) {
      const rows = await Incident.findAll({
        where: f.status?.length ? { status: { [Op.in]: f.status } } : {},
        order: [['id', 'DESC']],
        limit,
      });
      const counts = await reads.childCounts(rows.map((r) => r.id));
      return rows.map((r) => ({ ...row(r), children: counts.get(r.id) ?? 0 }));
    },
    async childCounts(ids: number[]): Promise<Map<number, number>> {
      if (!ids.length) return new Map();
      const n = (await IncidentLink.count({
        where: { incidentId: { [Op.in]: ids }, leftAt: null },
        group: ['incidentId'],
      })) as unknown as { incidentId: number; count: number }[];
      return new Map(n.map((x) => [Number(x.incidentId), Number(x.count)]));
    },
    /** Current children, oldest first (left ones too with `all`). */
    async children(id: number, o: { all?: boolean; t?: Transaction } = {}): Promise<LinkRow[]> {
      const rows = await IncidentLink.findAll({
        where: { incidentId: id, ...(o.all ? {} : { leftAt: null }) },
        order: [['id', 'ASC']],
        transaction: o.t,
      });
      return rows.map(linkRow);
    },
    childIds: async (id: number, t?: Transaction) => (await reads.children(id, { t })).map((c) => c.ticketId),
    async updates(id: number): Promise<UpdateRow[]> {
      return (await IncidentUpdate.findAll({ where: { incidentId: id }, order: [['id', 'ASC']] })).map(updateRow);
    },
    /** Whether the incident is open (a reopened child stays in an open incident and leaves a resolved one). */
    async isOpen(t: Transaction, id: number) {
      return (await Incident.findByPk(id, { transaction: t, attributes: ['status'] }))?.status === 'open';
    },
  };
  return reads;
}
