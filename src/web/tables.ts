import type { RoomTables } from '../person-data.js';

/** The web room's tables (see src/person-data.ts): the chat widget's settings and counters, per brand, no person. */
export const tables: RoomTables = {
  room: 'web',
  person: [],
  other: [
    {
      table: 'widget_settings',
      placement: { reference: "one small row per brand, read by every widget call to check the page's origin" },
    },
    { table: 'widget_counters', placement: { byBrand: 'counters per brand and day; written and read by brand only' } },
  ],
};
