import type { RoomTables } from '../person-data.js';

/** The conversation room's tables (see src/person-data.ts). Brand 0 is the shopper's own Confidant. */
export const tables: RoomTables = {
  room: 'conversation',
  person: [
    {
      table: 'conversation_messages',
      placement: 'by person',
      export: 'conversations',
      orderBy: 'at',
      erase: 'other rooms',
      merge: 'brand rows',
    },
    {
      table: 'conversation_state',
      placement: 'by person',
      export: 'other_records',
      erase: 'other rooms',
      merge: 'brand rows',
    },
    {
      table: 'handoffs',
      placement: 'by person',
      citus: [{ name: 'handoffs_brand', instead: 'plain index', why: 'unique by construction: a random UUID' }],
      export: 'other_records',
      orderBy: 'created_at',
      erase: 'other rooms',
      merge: 'brand rows',
    },
  ],
  other: [],
};
