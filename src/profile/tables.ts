import type { RoomTables } from '../person-data.js';

/** The profile room's tables (see src/person-data.ts). */
export const tables: RoomTables = {
  room: 'profile',
  person: [
    {
      table: 'facts',
      placement: 'by person',
      export: 'facts',
      erase: 'profile',
      // What the brand's data taught us about its customer moves; the person's own (stated) facts win over it.
      merge: {
        by: async (tx, s) =>
          (
            await tx.query(
              `WITH f AS (DELETE FROM facts WHERE person_id = $1 AND (source_brand_id = $3 OR source_brand_id IS NULL) RETURNING *)
               INSERT INTO facts (person_id, fact_id, about, kind, value, value_key, polarity, source, source_brand_id, confidence, sensitivity, scope, stated_at, updated_at, retired_uses)
               SELECT $2, fact_id, about, kind, value, value_key, polarity, source, source_brand_id, confidence, sensitivity, scope, stated_at, updated_at, retired_uses FROM f
               ON CONFLICT DO NOTHING`,
              [s.from, s.to, s.brandId],
            )
          ).rowCount,
      },
    },
  ],
  other: [],
};
