import type { RoomTables } from '../person-data.js';

/** The campaigns room's tables (see src/person-data.ts). */
export const tables: RoomTables = {
  room: 'campaigns',
  person: [
    {
      table: 'campaign_recipients',
      placement: 'by person',
      export: 'messages',
      orderBy: 'at',
      erase: 'other rooms',
      merge: 'brand rows',
    },
    {
      table: 'trigger_firings',
      placement: 'by person',
      export: 'messages',
      orderBy: 'fired_at',
      erase: 'other rooms',
      merge: 'brand rows',
    },
  ],
  other: [
    { table: 'campaigns', placement: { byBrand: "a brand's campaigns, read and written by that brand alone" } },
    { table: 'trigger_settings', placement: { reference: 'a few switches per brand, read by every trigger run' } },
    {
      table: 'watched_products',
      placement: { reference: "the last seen price and stock of a brand's products, beside its catalog" },
    },
  ],
};
