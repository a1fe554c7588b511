import type { RoomTables } from '../person-data.js';

/** The catalog room's tables (see src/person-data.ts). */
export const tables: RoomTables = {
  room: 'catalog',
  person: [],
  other: [
    { table: 'products', placement: { reference: "a brand's catalog, read with every recommendation and order" } },
  ],
};
