/** Column shorthands shared by every room's models (the schema itself comes from migrations/). */
import { DataTypes, type InferAttributes, type Model, type ModelAttributes } from 'sequelize';

export type Attrs<M extends Model> = ModelAttributes<M, InferAttributes<M>>;

/** A TEXT column holding JSON, read back as `fallback` when null. */
export const json = (field: string, fallback: unknown) => ({
  type: DataTypes.TEXT,
  get(this: Model) {
    const v = this.getDataValue(field as never) as unknown as string | null;
    return v == null ? fallback : JSON.parse(v);
  },
  set(this: Model, v: unknown) {
    this.setDataValue(field as never, (v == null ? null : JSON.stringify(v)) as never);
  },
});
export const id = () => ({ type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true });
export const s = DataTypes.STRING;
export const t = DataTypes.TEXT;
export const d = DataTypes.DATE(3);
export const n = DataTypes.INTEGER;
// Columns with database defaults repeat them here, so a freshly created instance carries the value too.
// (Factories: Sequelize writes the field name into an attribute object, so objects must not be shared.)
export const zero = () => ({ type: DataTypes.INTEGER, defaultValue: 0 });
export const no = () => ({ type: DataTypes.BOOLEAN, defaultValue: false });
export const dates = () => ({ createdAt: d, updatedAt: d });
