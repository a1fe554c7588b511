import type { RoomTables } from '../person-data.js';

/** The people room's tables (see src/person-data.ts). */
export const tables: RoomTables = {
  room: 'people',
  person: [
    {
      table: 'sessions',
      placement: 'by person',
      export: 'sessions',
      erase: 'access',
      merge: { none: 'a shadow person never signs in' },
    },
    {
      table: 'sign_in_links',
      placement: 'by person',
      export: { none: 'one-time credentials, kept for minutes' },
      erase: 'access',
      merge: { none: 'a shadow person never signs in' },
    },
    {
      table: 'pseudonyms',
      placement: 'by person',
      export: 'pseudonyms',
      erase: 'access',
      merge: { none: 'pids are issued on first use to a linked person' },
    },
    {
      table: 'brand_customers',
      placement: 'by person',
      export: 'links',
      erase: 'brand data',
      merge: { none: 'the link itself moves the customer row (people/links.ts)' },
    },
    {
      table: 'persons',
      personColumn: 'id',
      placement: 'by person',
      export: 'person',
      erase: 'the person',
      merge: { none: 'the shadow person is deleted once nothing of it is left' },
    },
  ],
  other: [
    { table: 'link_requests', placement: { byBrand: "a brand's invitation, looked up by its code" } },
    { table: 'suppressions', placement: { byBrand: 'a keyed hash of a brand and its customer id; no person' } },
  ],
};
