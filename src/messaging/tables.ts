import type { RoomTables } from '../person-data.js';

/** The messaging room's tables (see src/person-data.ts). Brand 0 in contact_preferences is every brand. */
export const tables: RoomTables = {
  room: 'messaging',
  person: [
    {
      table: 'messages',
      placement: 'by person',
      export: 'messages',
      orderBy: 'created_at',
      erase: 'other rooms',
      // A brand's messages to its customer move with the customer.
      merge: 'brand rows',
    },
    {
      table: 'message_keys',
      // A brand's idempotency key names one message whoever it is for: a key unique per brand, not per person.
      placement: { byBrand: "a brand's idempotency keys, each used once whoever the message is for" },
      citus: [
        {
          name: 'message_keys_person_id_fkey',
          instead: 'drop key',
          why: 'a key across placements cannot hold: the erasure deletes the rows itself (other rooms) before the person, and the merge moves them with the brand rows',
        },
      ],
      export: 'messages',
      // the hash of the brand's request, kept to tell a replay from a misuse: not the person's data
      omit: ['request_hash'],
      orderBy: 'created_at',
      erase: 'other rooms',
      merge: 'brand rows',
    },
    {
      table: 'contact_settings',
      placement: 'by person',
      export: 'messages',
      erase: 'other rooms',
      merge: { none: "the person's own quiet hours and channel, set on their own page; a shadow person has none" },
    },
    {
      table: 'push_subscriptions',
      placement: 'by person',
      export: 'messages',
      omit: ['p256dh', 'auth'],
      orderBy: 'created_at',
      erase: 'other rooms',
      merge: { none: "the person's own browsers, subscribed from their own page; a shadow person has none" },
    },
    {
      table: 'contact_preferences',
      placement: 'by person',
      export: 'messages',
      erase: 'other rooms',
      merge: 'brand rows',
    },
  ],
  other: [
    {
      table: 'vapid_keys',
      placement: {
        coordinator: "the server's own key pair for web push, made at first start and read by each process",
      },
    },
  ],
};
