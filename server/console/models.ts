/** Models of the console's own tables (migrations/0003-console.ts): login tokens and sessions. */
import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { type Attrs, dates as stamps } from '../db/columns.js';

/** A magic-link token (hash only); single use, short-lived. */
export class LoginToken extends Model<InferAttributes<LoginToken>, InferCreationAttributes<LoginToken>> {
  declare id: CreationOptional<number>;
  declare tokenHash: string;
  declare agentId: number;
  declare expiresAt: Date;
  declare usedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

/** A signed-in browser: the cookie's hash, the agent, and the CSRF secret its forms carry. */
export class ConsoleSession extends Model<InferAttributes<ConsoleSession>, InferCreationAttributes<ConsoleSession>> {
  declare id: CreationOptional<number>;
  declare tokenHash: string;
  declare agentId: number;
  declare csrfSecret: string;
  declare expiresAt: Date;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

const dates = stamps();

/** Registers the console models on a Sequelize instance; fresh subclasses per instance (see db/models.ts). */
export function initConsoleModels(sequelize: Sequelize) {
  const opts = (modelName: string, tableName: string) => ({ sequelize, modelName, tableName, underscored: true });
  class LoginTokenM extends LoginToken {}
  class ConsoleSessionM extends ConsoleSession {}
  LoginTokenM.init(
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      tokenHash: DataTypes.STRING,
      agentId: DataTypes.INTEGER,
      expiresAt: DataTypes.DATE(3),
      usedAt: DataTypes.DATE(3),
      ...dates,
    } as Attrs<LoginToken>,
    opts('LoginToken', 'login_tokens'),
  );
  ConsoleSessionM.init(
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      tokenHash: DataTypes.STRING,
      agentId: DataTypes.INTEGER,
      csrfSecret: DataTypes.STRING,
      expiresAt: DataTypes.DATE(3),
      ...dates,
    } as Attrs<ConsoleSession>,
    opts('ConsoleSession', 'console_sessions'),
  );
  return { LoginToken: LoginTokenM, ConsoleSession: ConsoleSessionM };
}

export type ConsoleModels = ReturnType<typeof initConsoleModels>;
