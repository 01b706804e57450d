/** Models of the incidents room's tables (migrations/0015-incidents.ts); fresh subclasses per instance. */
import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { type Attrs, d, dates, id, json, n, s } from '../db/columns.js';

/** Summed term weights of an incident's children and how many were summed (see words.ts). */
export interface Profile {
  n: number;
  terms: Record<string, number>;
}

export class Incident extends Model<InferAttributes<Incident>, InferCreationAttributes<Incident>> {
  declare id: CreationOptional<number>;
  declare ref: string | null;
  declare title: string;
  declare category: string;
  declare devCenter: string | null;
  declare scope: 'centre' | 'global';
  declare issue: string | null;
  declare openKey: string | null;
  declare status: 'open' | 'resolved' | 'merged';
  declare severity: 'high' | 'critical';
  declare assigneeId: number | null;
  declare resolution: CreationOptional<string | null>;
  declare profile: Profile;
  declare mergedIntoId: CreationOptional<number | null>;
  declare firstTicketAt: Date;
  declare resolvedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class IncidentLink extends Model<InferAttributes<IncidentLink>, InferCreationAttributes<IncidentLink>> {
  declare id: CreationOptional<number>;
  declare incidentId: number;
  declare ticketId: number;
  declare ticketRef: string;
  declare requesterEmail: string;
  declare requesterName: string | null;
  declare devCenter: string | null;
  declare channel: string;
  declare how: 'detected' | 'joined' | 'me_too' | 'manual' | 'merged';
  declare ticketCreatedAt: Date;
  declare linkedBy: string;
  declare leftAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class IncidentUpdate extends Model<InferAttributes<IncidentUpdate>, InferCreationAttributes<IncidentUpdate>> {
  declare id: CreationOptional<number>;
  declare incidentId: number;
  declare kind: 'opened' | 'update' | 'resolution' | 'linked' | 'unlinked' | 'merged' | 'renamed';
  declare text: string;
  declare actor: string;
  declare recipients: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class IncidentSignal extends Model<InferAttributes<IncidentSignal>, InferCreationAttributes<IncidentSignal>> {
  declare ticketId: number;
  declare category: string;
  declare devCenter: string | null;
  declare requesterKey: string;
  declare issue: string | null;
  declare issueZ: number | null;
  declare runner: string | null;
  declare runnerZ: number | null;
  declare terms: Record<string, number>;
  declare incidentId: number | null;
  declare createdAt: Date;
}

export class IncidentClaim extends Model<InferAttributes<IncidentClaim>, InferCreationAttributes<IncidentClaim>> {
  declare name: string;
}

/** Registers the incident models on a Sequelize instance. */
export function initIncidentModels(sequelize: Sequelize) {
  const opts = (modelName: string, tableName: string, timestamps = true) => ({
    sequelize,
    modelName,
    tableName,
    underscored: true,
    timestamps,
  });
  class IncidentM extends Incident {}
  class IncidentLinkM extends IncidentLink {}
  class IncidentUpdateM extends IncidentUpdate {}
  class IncidentSignalM extends IncidentSignal {}
  class IncidentClaimM extends IncidentClaim {}
  IncidentM.init(
    {
      id: id(),
      ref: s,
      title: s,
      category: s,
      devCenter: s,
      scope: s,
      issue: s,
      openKey: s,
      status: s,
      severity: s,
      assigneeId: n,
      resolution: DataTypes.TEXT,
      profile: json('profile', { n: 0, terms: {} }),
      mergedIntoId: n,
      firstTicketAt: d,
      resolvedAt: d,
      ...dates(),
    } as Attrs<Incident>,
    opts('Incident', 'incidents'),
  );
  IncidentLinkM.init(
    {
      id: id(),
      incidentId: n,
      ticketId: n,
      ticketRef: s,
      requesterEmail: s,
      requesterName: s,
      devCenter: s,
      channel: s,
      how: s,
      ticketCreatedAt: d,
      linkedBy: s,
      leftAt: d,
      ...dates(),
    } as Attrs<IncidentLink>,
    opts('IncidentLink', 'incident_links'),
  );
  IncidentUpdateM.init(
    {
      id: id(),
      incidentId: n,
      kind: s,
      text: DataTypes.TEXT,
      actor: s,
      recipients: { type: DataTypes.INTEGER, defaultValue: 0 },
      ...dates(),
    } as Attrs<IncidentUpdate>,
    opts('IncidentUpdate', 'incident_updates'),
  );
  IncidentSignalM.init(
    {
      ticketId: { type: DataTypes.INTEGER, primaryKey: true },
      category: s,
      devCenter: s,
      requesterKey: s,
      issue: s,
      issueZ: DataTypes.FLOAT,
      runner: s,
      runnerZ: DataTypes.FLOAT,
      terms: json('terms', {}),
      incidentId: n,
      createdAt: d,
    } as Attrs<IncidentSignal>,
    { ...opts('IncidentSignal', 'incident_signals', false) },
  );
  IncidentClaimM.init(
    { name: { type: DataTypes.STRING, primaryKey: true } } as Attrs<IncidentClaim>,
    opts('IncidentClaim', 'incident_claims', false),
  );
  return {
    Incident: IncidentM,
    IncidentLink: IncidentLinkM,
    IncidentUpdate: IncidentUpdateM,
    IncidentSignal: IncidentSignalM,
    IncidentClaim: IncidentClaimM,
  };
}

export type IncidentModels = ReturnType<typeof initIncidentModels>;
