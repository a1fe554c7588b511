/**
 * Trust between a person and a brand, read from the trust room's front door (`src/trust/index.ts`:
 * `trustBetween`, `isFactUseRetired`). Until that room is on main this adapter loads it when present, and otherwise
 * answers what a person and brand without any history have: trust level "new", and no fact use retired.
 */
import type { Queryable } from '../db/pool.js';

export type TrustLevel = 'new' | 'low' | 'medium' | 'high';
export const TRUST_ORDER: readonly TrustLevel[] = ['new', 'low', 'medium', 'high'];

interface TrustDoor {
  trustBetween(db: Queryable, personId: string, brandId: number): Promise<{ score: number; level: TrustLevel }>;
  isFactUseRetired(db: Queryable, personId: string, brandId: number, factId: string): Promise<boolean>;
}

let door: Promise<TrustDoor | null> | undefined;
function trustDoor(): Promise<TrustDoor | null> {
  const where = '../trust/index.js';
  door ??= (import(where) as Promise<TrustDoor>).catch(() => null);
  return door;
}

export async function trustLevel(db: Queryable, personId: string, brandId: number): Promise<TrustLevel> {
  const t = await trustDoor();
  return t ? (await t.trustBetween(db, personId, brandId)).level : 'new';
}

export async function factUseRetired(db: Queryable, personId: string, brandId: number, factId: string) {
  const t = await trustDoor();
  return t ? t.isFactUseRetired(db, personId, brandId, factId) : false;
}
