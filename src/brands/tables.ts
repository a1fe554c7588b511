import type { RoomTables } from '../person-data.js';

/** The brands room's tables (see src/person-data.ts). */
export const tables: RoomTables = {
  room: 'brands',
  person: [],
  other: [
    { table: 'brands', placement: { reference: 'a few rows, read by every request and referenced by most tables' } },
    {
      table: 'server_settings',
      placement: { reference: 'a few keys every node reads (suppression_hash uses the suppression key)' },
    },
  ],
};
