import type { RoomTables } from '../person-data.js';

/** The orders room's tables (see src/person-data.ts): erased children first; shipments and returns follow their order. */
export const tables: RoomTables = {
  room: 'orders',
  person: [
    { table: 'returns', placement: 'by person', export: 'orders', erase: 'brand data', merge: { follows: 'orders' } },
    { table: 'shipments', placement: 'by person', export: 'orders', erase: 'brand data', merge: { follows: 'orders' } },
    // No key to orders (imports write hundreds of thousands of lines): an import in flight may commit lines late.
    {
      table: 'order_items',
      placement: 'by person',
      export: 'orders',
      erase: 'brand data',
      lateRows: true,
      merge: 'brand rows',
    },
    { table: 'orders', placement: 'by person', export: 'orders', erase: 'brand data', merge: 'brand rows' },
  ],
  other: [
    {
      table: 'order_claims',
      placement: { byBrand: "a brand's order ids, each claimed once whoever it is for; no person" },
    },
  ],
};
