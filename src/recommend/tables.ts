import type { RoomTables } from '../person-data.js';

/** The recommend room's tables (see src/person-data.ts). */
export const tables: RoomTables = {
  room: 'recommend',
  person: [],
  other: [
    {
      table: 'recommend_models',
      placement: { coordinator: 'model snapshots, written by the training job and read whole by each server process' },
    },
  ],
};
