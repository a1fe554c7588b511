/**
 * A campaign's segment: a filter over the facts the person granted the brand (read through the gatekeeper, for the
 * campaign's purpose, so an ungranted fact can never select anyone), their recent activity at the brand, and a channel
 * they have not stopped. Every part given must hold.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { viewFor } from '../gatekeeper/index.js';
import { contactState, MESSAGE_CHANNELS } from '../messaging/index.js';
import { StringEnum } from '../validation.js';

export const SegmentSchema = Type.Object(
  {
    facts: Type.Optional(
      Type.Array(
        Type.Object(
          {
            kind: Type.String({ minLength: 1, maxLength: 40, description: 'diet, like, size, date...' }),
            value: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'keto, fly fishing...' })),
            about: Type.Optional(
              Type.String({ minLength: 1, maxLength: 60, description: '"self" (default), "dad"...' }),
            ),
          },
          { additionalProperties: false },
        ),
        { maxItems: 10, description: 'Facts the person granted the brand for the purpose: all must be there' },
      ),
    ),
    activity: Type.Optional(
      Type.Object(
        {
          event: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 200,
              description: 'A tracked event ("Product Viewed"), or "purchase" for an order; any event when left out',
            }),
          ),
          within_days: Type.Integer({ minimum: 1, maximum: 730 }),
          min: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
    channel: Type.Optional(StringEnum(MESSAGE_CHANNELS, { description: 'The person has not stopped this channel' })),
  },
  { additionalProperties: false },
);
export type Segment = Static<typeof SegmentSchema>;

export interface SegmentMatch {
  in_segment: boolean;
  /** What held and what did not, in words. */
  matched: string[];
  missed: string[];
}

const factWords = (f: NonNullable<Segment['facts']>[number]) =>
  `${f.about && f.about !== 'self' ? `${f.about}: ` : ''}${f.kind}${f.value ? ` ${f.value}` : ''}`;

/** Whether the person is in the segment, reading their facts only through the gatekeeper. */
export async function matchSegment(
  ctx: Pick<AppContext, 'db' | 'now'>,
  brandId: number,
  personId: string,
  segment: Segment,
  purpose: 'marketing' | 'service',
  now: Date,
): Promise<SegmentMatch> {
  const matched: string[] = [];
  const missed: string[] = [];
  if (segment.channel) {
    const state = await contactState(ctx.db, personId, brandId);
    (state.optedOut.includes(segment.channel) ? missed : matched).push(`reachable by ${segment.channel}`);
  }
  if (segment.activity && missed.length === 0) {
    const a = segment.activity;
    const since = new Date(now.getTime() - a.within_days * 86_400_000);
    const r =
      a.event === 'purchase'
        ? await ctx.db.query(
            'SELECT count(*)::int AS n FROM orders WHERE person_id = $1 AND brand_id = $2 AND placed_at > $3 AND placed_at <= $4',
            [personId, brandId, since, now],
          )
        : await ctx.db.query(
            `SELECT count(*)::int AS n FROM events WHERE person_id = $1 AND brand_id = $2 AND occurred_at > $3 AND occurred_at <= $4
               AND ($5::text IS NULL OR event = $5)`,
            [personId, brandId, since, now, a.event ?? null],
          );
    const words = `${a.event ?? 'activity'} in the last ${a.within_days} days`;
    (r.rows[0].n >= (a.min ?? 1) ? matched : missed).push(words);
  }
  if (segment.facts?.length && missed.length === 0) {
    const view = await viewFor(ctx.db, {
      viewer: { brand: brandId },
      person: { id: personId },
      purpose,
      call: 'campaign:segment',
      action: 'select_for_campaign',
      at: now,
      inTransaction: false,
    });
    for (const want of segment.facts) {
      const about = (want.about ?? 'self').toLowerCase();
      const has = view.facts.some(
        (f) =>
          f.kind === want.kind &&
          f.about.toLowerCase() === about &&
          f.polarity === 'positive' &&
          (want.value === undefined || valueMatches(f.value, want.value)),
      );
      (has ? matched : missed).push(factWords(want));
    }
  }
  return { in_segment: missed.length === 0, matched, missed };
}

function valueMatches(value: unknown, want: string): boolean {
  const w = want.toLowerCase().replace(/[\s-]+/g, '_');
  if (typeof value === 'string') return value.toLowerCase().replace(/[\s-]+/g, '_') === w;
  return JSON.stringify(value).toLowerCase().includes(want.toLowerCase());
}
