import type { RoomTables } from '../person-data.js';

/** The trust room's tables (see src/person-data.ts). */
export const tables: RoomTables = {
  room: 'trust',
  person: [
    {
      table: 'trust_signals',
      placement: 'by person',
      export: 'other_records',
      orderBy: 'at',
      erase: 'other rooms',
      // A brand's signals move with its customer (the purchase of a moved order, say).
      merge: 'brand rows',
    },
    {
      table: 'fact_use_retirements',
      placement: 'by person',
      export: 'other_records',
      erase: 'other rooms',
      merge: 'brand rows',
    },
  ],
  other: [],
};
