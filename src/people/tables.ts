import type { RoomTables } from '../person-data.js';

/** The people room's tables (see src/person-data.ts). */
export const tables: RoomTables = {
  room: 'people',
  person: [
    {
      table: 'sessions',
      placement: 'by person',
      citus: [
        {
          name: 'sessions_token',
          instead: 'plain index',
          why: 'unique by construction: the hash of a random 24-byte token; on Citus a plain index, looked up on every shard',
        },
      ],
      export: 'sessions',
      erase: 'access',
      merge: { none: 'a shadow person never signs in' },
    },
    {
      table: 'sign_in_links',
      placement: 'by person',
      citus: [
        {
          name: 'sign_in_links_token',
          instead: 'plain index',
          why: 'unique by construction: the hash of a random 32-byte token; on Citus a plain index, looked up on every shard',
        },
      ],
      export: { none: 'one-time credentials, kept for minutes' },
      erase: 'access',
      merge: { none: 'a shadow person never signs in' },
    },
    {
      table: 'pseudonyms',
      placement: 'by person',
      citus: [
        {
          name: 'pseudonyms_pid',
          instead: 'plain index',
          why: 'unique by construction: a pid is an HMAC of person and brand under the server secret',
        },
      ],
      export: 'pseudonyms',
      erase: 'access',
      merge: { none: 'pids are issued on first use to a linked person' },
    },
    {
      table: 'brand_customers',
      // A brand's customer id names one person: a key unique per brand, not per person.
      placement: {
        byBrand: "a brand's customer id is unique per brand; the brand's lookups (tracking, orders) stay on one shard",
      },
      citus: [
        {
          name: 'brand_customers_person_id_fkey',
          instead: 'drop key',
          why: 'a key across placements cannot hold: the erasure deletes the rows itself (brand data) before the person, and the merge removes a shadow person only once no customer row refers to it',
        },
      ],
      export: 'links',
      erase: 'brand data',
      merge: { none: 'the link itself moves the customer row (people/links.ts)' },
    },
    {
      table: 'persons',
      personColumn: 'id',
      placement: 'by person',
      citus: [
        {
          name: 'persons_email',
          instead: 'plain index',
          why: "an address stays unique because the first sign-in creates its person only under the address's advisory lock, after looking it up (people/signin.ts)",
        },
      ],
      export: 'person',
      erase: 'the person',
      merge: { none: 'the shadow person is deleted once nothing of it is left' },
    },
  ],
  other: [
    {
      table: 'link_requests',
      placement: { byBrand: "a brand's invitation, looked up by its code" },
      citus: [
        {
          name: 'link_requests_code',
          instead: 'plain index',
          why: 'unique by construction: the hash of a random 24-byte token; on Citus a plain index, looked up on every shard',
        },
      ],
    },
    { table: 'suppressions', placement: { byBrand: 'a keyed hash of a brand and its customer id; no person' } },
  ],
};
