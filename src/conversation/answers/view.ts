/**
 * The profile an answer may use: in a brand's chat, what the gatekeeper lets that brand use for the purpose; in the
 * shopper's own Confidant, everything. A brand the shopper has not linked sees nothing and reads nothing: no view is
 * asked for, so no read lands in the shopper's activity either.
 */
import { type PersonView, type Purpose, selfView, viewFor } from '../../gatekeeper/index.js';
import type { Turn } from '../turn.js';

/** Whether the shopper confirmed that their customer account at the brand is theirs. */
export async function linkedTo(turn: Pick<Turn, 'tx' | 'person'>, brandId: number): Promise<boolean> {
  const r = await turn.tx.query(
    'SELECT 1 FROM brand_customers WHERE person_id = $1 AND brand_id = $2 AND confirmed_at IS NOT NULL LIMIT 1',
    [turn.person.id, brandId],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function turnView(turn: Turn, purpose: Purpose, call: string): Promise<PersonView> {
  if (!turn.brand) return selfView(turn.tx, turn.person.id);
  if (!(await linkedTo(turn, turn.brand.id)))
    return { personId: turn.person.id, brandId: turn.brand.id, purpose, facts: [], scopes: new Set() };
  return viewFor(turn.tx, {
    viewer: { brand: turn.brand.id },
    person: { id: turn.person.id },
    purpose,
    call,
    at: turn.now,
    inTransaction: true,
  });
}
