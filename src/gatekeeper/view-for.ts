/**
 * The one door to a person's data for anyone but the person: `viewFor` returns only the facts the viewer may use for
 * the purpose, and writes the audit entry the person reads. A viewer is a brand (next: a person the data is shared
 * with, in a circle). The person is named by id (a room of our own that already knows them, such as the chat) or by
 * the pid the brand knows them by (the brand's own API calls; views of those are kept for a minute, see
 * brand-profile.ts).
 */
import type { Queryable } from '../db/pool.js';
import { viewByPid } from './brand-profile.js';
import { freshView, type PersonView, type Purpose } from './view.js';

export type Viewer = { brand: number };

export interface ViewRequest {
  viewer: Viewer;
  /** The person: by id, or by the viewer's pid for them (a pid nothing links to is 404 at `where`). */
  person: { id: string } | { pid: string; where: string };
  purpose: Purpose;
  /** What asked, as the person's activity shows it: `GET /v1/recommendations`, `chat:suggest`. */
  call: string;
  /** read_profile (default), recommendation, message, chat. */
  action?: string;
  /** When, from the injected clock: grants expire and kept views age by it. */
  at: Date;
  /**
   * True when `db` is the caller's own transaction: the audit entry commits with it, durably. False when `db` is the
   * pool: entries of concurrent reads commit together without waiting for the disk.
   */
  inTransaction: boolean;
  /** Sent with the audit entry to the reading process (recommend/activity.ts). */
  fence?: string;
}

export async function viewFor(db: Queryable, r: ViewRequest): Promise<PersonView> {
  const common = {
    brandId: r.viewer.brand,
    purpose: r.purpose,
    call: r.call,
    action: r.action ?? 'read_profile',
    at: r.at,
    inTransaction: r.inTransaction,
  };
  return 'pid' in r.person
    ? viewByPid(db, { ...common, pid: r.person.pid, where: r.person.where, fence: r.fence })
    : freshView(db, { ...common, personId: r.person.id });
}
