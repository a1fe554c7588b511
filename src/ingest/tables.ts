import type { MergeStep, RoomTables } from '../person-data.js';
import type { Tx } from '../db/pool.js';

/** The same messageId already held by the person is a duplicate: it stays behind and goes with the shadow. */
async function moveEvents(tx: Tx, s: MergeStep): Promise<number | null> {
  return (
    await tx.query(
      `UPDATE events e SET person_id = $2 WHERE person_id = $1 AND brand_id = $3
       AND NOT EXISTS (SELECT 1 FROM events x WHERE x.person_id = $2 AND x.brand_id = $3 AND x.message_id = e.message_id)`,
      [s.from, s.to, s.brandId],
    )
  ).rowCount;
}

/** The ingest room's tables (see src/person-data.ts). */
export const tables: RoomTables = {
  room: 'ingest',
  person: [
    {
      table: 'events',
      placement: 'by person',
      export: 'events',
      erase: 'brand data',
      // No key to persons: a tracking batch share-locks the person instead, and may commit after the first delete.
      lateRows: true,
      merge: { by: moveEvents },
      // A batch still writing for the shadow held its row until it committed: what it wrote moves now, and the
      // duplicates left behind go.
      afterShadowGone: async (tx, s) => {
        const moved = await moveEvents(tx, s);
        await tx.query('DELETE FROM events WHERE person_id = $1', [s.from]);
        return moved;
      },
    },
  ],
  other: [
    {
      table: 'event_claims',
      placement: { byBrand: "a brand's messageIds, each claimed once whoever it was sent for; no person" },
    },
    { table: 'imports', placement: { coordinator: "the importer's own record of finished files, by content hash" } },
  ],
};
