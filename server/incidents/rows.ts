/** The incidents room's plain rows (what other rooms see of incidents, children and updates) and refs. */
import type { Incident, IncidentLink, IncidentUpdate } from './models.js';
import type { Terms } from './words.js';

/** An incident as other rooms see it. */
export interface IncidentRow {
  id: number;
  ref: string;
  title: string;
  category: string;
  devCenter: string | null;
  scope: 'centre' | 'global';
  issue: string | null;
  status: 'open' | 'resolved' | 'merged';
  severity: 'high' | 'critical';
  assigneeId: number | null;
  resolution: string | null;
  mergedIntoId: number | null;
  firstTicketAt: Date;
  detectedAt: Date;
  resolvedAt: Date | null;
}

/** A child of an incident. */
export interface LinkRow {
  id: number;
  incidentId: number;
  ticketId: number;
  ticketRef: string;
  requesterEmail: string;
  requesterName: string | null;
  devCenter: string | null;
  channel: string;
  how: IncidentLink['how'];
  ticketCreatedAt: Date;
  linkedBy: string;
  leftAt: Date | null;
  createdAt: Date;
}
export type UpdateRow = Pick<IncidentUpdate, 'id' | 'kind' | 'text' | 'actor' | 'recipients' | 'createdAt'>;

/** A ticket about to become a child (what the incident keeps of it: who, when, from where). */
export interface ChildInput {
  ticketId: number;
  ticketRef: string;
  requesterEmail: string;
  requesterName: string | null;
  devCenter: string | null;
  channel: string;
  ticketCreatedAt: Date;
  how: IncidentLink['how'];
  linkedBy: string;
  terms?: Terms;
}

export const incidentRef = (id: number) => `MI-${id}`;

export const row = (i: Incident): IncidentRow => ({
  id: i.id,
  ref: i.ref ?? incidentRef(i.id),
  title: i.title,
  category: i.category,
  devCenter: i.devCenter,
  scope: i.scope,
  issue: i.issue,
  status: i.status,
  severity: i.severity,
  assigneeId: i.assigneeId,
  resolution: i.resolution ?? null,
  mergedIntoId: i.mergedIntoId ?? null,
  firstTicketAt: i.firstTicketAt,
  detectedAt: i.createdAt,
  resolvedAt: i.resolvedAt ?? null,
});

export const linkRow = (l: IncidentLink) => l.get({ plain: true }) as LinkRow;
export const updateRow = (u: IncidentUpdate): UpdateRow => ({
  id: u.id,
  kind: u.kind,
  text: u.text,
  actor: u.actor,
  recipients: u.recipients,
  createdAt: u.createdAt,
});

/** "MI-12", "mi-12" or "12" → 12; null when it cannot name a row. */
export function incidentId(ref: string | number): number | null {
  const m = /^(?:mi-)?(\d{1,15})$/i.exec(String(ref).trim());
  const id = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}
