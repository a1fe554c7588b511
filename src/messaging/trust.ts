/** Trust between a person and a brand, as the guard reads it, from the trust room's front door. */
import type { Queryable } from '../db/pool.js';
import { isFactUseRetired, type TrustLevel, trustBetween } from '../trust/index.js';

export type { TrustLevel };
export const TRUST_ORDER: readonly TrustLevel[] = ['new', 'low', 'medium', 'high'];

export async function trustLevel(db: Queryable, personId: string, brandId: number, at?: Date): Promise<TrustLevel> {
  return (await trustBetween(db, personId, brandId, at)).level;
}

export const factUseRetired = (db: Queryable, personId: string, brandId: number, factId: string) =>
  isFactUseRetired(db, personId, brandId, factId);
