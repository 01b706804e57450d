/**
 * Read-only analytics links for people without a console account. Each link is a row (migrations/0008): the URL
 * carries a random token, the database only its SHA-256, so a link can be listed, revoked at once (open streams
 * close too) and never forged. A link shows the page and the summary; it is not valid for the per-ticket CSV.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  DataTypes,
  Model,
  Op,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

export class AnalyticsLink extends Model<InferAttributes<AnalyticsLink>, InferCreationAttributes<AnalyticsLink>> {
  declare id: CreationOptional<number>;
  declare tokenHash: string;
  declare label: string;
  declare createdBy: string;
  declare expiresAt: Date;
  declare revokedAt: CreationOptional<Date | null>;
  declare revokedBy: CreationOptional<string | null>;
  declare lastUsedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

/** What the admin list shows of a link (never its token). */
export interface LinkRow {
  id: number;
  label: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  revokedBy: string | null;
  lastUsedAt: Date | null;
  state: 'active' | 'expired' | 'revoked';
}

export const LINK_DAYS_MAX = 90;
const TOUCH_EVERY_MS = 5 * 60_000;
const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/** The links store; main.ts shares one between the analytics routes and the console's admin page. */
export function createAnalyticsLinks(d: { sequelize: Sequelize; clock: () => Date }) {
  class AnalyticsLinkM extends AnalyticsLink {}
  AnalyticsLinkM.init(
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      tokenHash: DataTypes.STRING,
      label: DataTypes.STRING,
      createdBy: DataTypes.STRING,
      expiresAt: DataTypes.DATE(3),
      revokedAt: DataTypes.DATE(3),
      revokedBy: DataTypes.STRING,
      lastUsedAt: DataTypes.DATE(3),
      createdAt: DataTypes.DATE(3),
      updatedAt: DataTypes.DATE(3),
    },
    { sequelize: d.sequelize, modelName: 'AnalyticsLink', tableName: 'analytics_links', underscored: true },
  );
  const revoked = new Set<(id: number) => void>();
  const row = (l: AnalyticsLink): LinkRow => ({
    id: l.id,
    label: l.label,
    createdBy: l.createdBy,
    createdAt: l.createdAt,
    expiresAt: l.expiresAt,
    revokedAt: l.revokedAt ?? null,
    revokedBy: l.revokedBy ?? null,
    lastUsedAt: l.lastUsedAt ?? null,
    state: l.revokedAt ? 'revoked' : l.expiresAt.getTime() <= d.clock().getTime() ? 'expired' : 'active',
  });

  return {
    /** A new link valid for `days` (1–90); the token is returned once and never stored. */
    async create(o: { label: string; days: number; createdBy: string }) {
      const token = randomBytes(32).toString('base64url');
      const days = Math.min(LINK_DAYS_MAX, Math.max(1, Math.round(o.days) || 30));
      const l = await AnalyticsLinkM.create({
        tokenHash: hash(token),
        label: o.label.trim().slice(0, 200) || 'Analytics link',
        createdBy: o.createdBy.slice(0, 120),
        expiresAt: new Date(d.clock().getTime() + days * 86_400_000),
      });
      return { id: l.id, token, days, expiresAt: l.expiresAt };
    },
    /** The id of the active link holding this token, or null (unknown, expired or revoked). */
    async verify(token: string): Promise<number | null> {
      if (!token || token.length > 100) return null;
      const now = d.clock();
      const l = await AnalyticsLinkM.findOne({
        where: { tokenHash: hash(token), revokedAt: null, expiresAt: { [Op.gt]: now } },
      });
      if (!l) return null;
      // "Last used" for the admin list, written at most every few minutes (a stream asks on every reconnect).
      if (!l.lastUsedAt || now.getTime() - l.lastUsedAt.getTime() > TOUCH_EVERY_MS)
        await AnalyticsLinkM.update({ lastUsedAt: now }, { where: { id: l.id } });
      return l.id;
    },
    /** Which of these link ids are still active (open streams re-check on every refresh, across processes). */
    async active(ids: number[]): Promise<Set<number>> {
      if (!ids.length) return new Set();
      const rows = await AnalyticsLinkM.findAll({
        attributes: ['id'],
        where: { id: { [Op.in]: ids }, revokedAt: null, expiresAt: { [Op.gt]: d.clock() } },
      });
      return new Set(rows.map((r) => r.id));
    },
    /** Every link, newest first (the console's admin page). */
    async list(limit = 200): Promise<LinkRow[]> {
      return (await AnalyticsLinkM.findAll({ order: [['id', 'DESC']], limit })).map(row);
    },
    /** Revokes a link now; false when there is no such active link. Listeners (open streams) hear of it. */
    async revoke(id: number, by: string): Promise<boolean> {
      if (!Number.isSafeInteger(id) || id <= 0) return false;
      const [n] = await AnalyticsLinkM.update(
        { revokedAt: d.clock(), revokedBy: by.slice(0, 120) },
        { where: { id, revokedAt: null } },
      );
      if (n) for (const l of revoked) l(id);
      return n > 0;
    },
    /** Registers a listener for revocations in this process; returns its unsubscribe function. */
    onRevoke(listener: (id: number) => void): () => void {
      revoked.add(listener);
      return () => void revoked.delete(listener);
    },
  };
}

export type AnalyticsLinks = ReturnType<typeof createAnalyticsLinks>;
