import type { RoomTables } from '../person-data.js';

/** The gatekeeper room's tables (see src/person-data.ts). */
export const tables: RoomTables = {
  room: 'gatekeeper',
  person: [
    {
      table: 'grants',
      placement: 'by person',
      export: 'grants',
      erase: 'access',
      merge: { none: 'a shadow person grants nothing' },
    },
    { table: 'audit_log', placement: 'by person', export: 'audit_log', erase: 'profile', merge: 'brand rows' },
    {
      table: 'person_changes',
      placement: 'by person',
      export: 'other_records',
      // It tells every process that a view it keeps is out of date until the person's row is gone.
      erase: 'log',
      merge: { none: "the shadow's log goes with it" },
      afterShadowGone: async (tx, s) => {
        await tx.query('DELETE FROM person_changes WHERE person_id = $1', [s.from]);
        return null;
      },
    },
    {
      table: 'erasures',
      placement: 'by person',
      citus: [{ name: 'erasures_id', instead: 'plain index', why: 'unique by construction: a random UUID' }],
      export: { none: 'the receipt of an erasure outlives the person; there is nothing to export once it exists' },
      erase: { keep: 'the receipt: counts only, kept as proof the erasure was done' },
      merge: { none: 'a shadow person is never erased while unclaimed' },
    },
  ],
  other: [
    {
      table: 'person_change_horizons',
      placement: { coordinator: "the server's own note of the oldest running transaction, to trim person_changes" },
    },
  ],
};
