/** HTTP schemas more than one room's routes use: one definition each. */
import { type TSchema, Type } from '@sinclair/typebox';

/** Dates leave as ISO strings; the services hand out Date objects. */
export const DateTime = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** The fields of `factOut` (profile/facts.ts): what the person and the brands they granted it to see of a fact. */
export const FactFields = {
  scope: Type.String(),
  about: Type.String(),
  kind: Type.String(),
  value: Type.Unknown(),
  text: Type.String(),
  polarity: Type.String(),
  source: Type.String(),
  confidence: Type.Number(),
  sensitivity: Type.String(),
};
