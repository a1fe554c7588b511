/** A brand's widget settings: which origins may embed it, and how it looks (position, colour, language). */
import { Type, type Static } from '@sinclair/typebox';
import type { Queryable } from '../../db/pool.js';

export const WidgetLook = Type.Object(
  {
    position: Type.Optional(Type.Union([Type.Literal('right'), Type.Literal('left')])),
    color: Type.Optional(Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: 'Accent colour, #rrggbb' })),
    language: Type.Optional(
      Type.Union([Type.Literal('en'), Type.Literal('de'), Type.Literal('fr'), Type.Literal('es')]),
    ),
    greeting: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type WidgetLook = Static<typeof WidgetLook>;

export const Origin = Type.String({
  pattern: '^https?://[a-z0-9.-]+(:[0-9]{1,5})?$',
  maxLength: 300,
  description: 'scheme://host[:port], no path',
});

export interface WidgetSettings {
  allowedOrigins: string[];
  look: WidgetLook;
}

const DEFAULT_LOOK: Required<Omit<WidgetLook, 'greeting'>> = { position: 'right', color: '#2f6f4f', language: 'en' };

const cache = new Map<number, { at: number; settings: WidgetSettings }>();
/** Settings change rarely and are read on every widget call: a few seconds of staleness per process is fine. */
const TTL_MS = 5000;

export async function widgetSettings(db: Queryable, brandId: number): Promise<WidgetSettings> {
  const hit = cache.get(brandId);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.settings;
  const r = await db.query('SELECT allowed_origins, settings FROM widget_settings WHERE brand_id = $1', [brandId]);
  const settings: WidgetSettings = {
    allowedOrigins: r.rows[0]?.allowed_origins ?? [],
    look: { ...DEFAULT_LOOK, ...(r.rows[0]?.settings ?? {}) },
  };
  if (cache.size > 10_000) cache.clear();
  cache.set(brandId, { at: Date.now(), settings });
  return settings;
}

export async function saveWidgetSettings(
  db: Queryable,
  brandId: number,
  change: { allowedOrigins?: string[]; look?: WidgetLook },
  now: Date,
): Promise<WidgetSettings> {
  await db.query(
    `INSERT INTO widget_settings (brand_id, allowed_origins, settings, updated_at) VALUES ($1, COALESCE($2, '{}'::text[]), COALESCE($3, '{}'::jsonb), $4)
     ON CONFLICT (brand_id) DO UPDATE SET allowed_origins = COALESCE($2, widget_settings.allowed_origins),
       settings = widget_settings.settings || COALESCE($3, '{}'::jsonb), updated_at = $4`,
    [
      brandId,
      change.allowedOrigins ? [...new Set(change.allowedOrigins.map((o) => o.toLowerCase()))] : null,
      change.look ?? null,
      now,
    ],
  );
  cache.delete(brandId);
  return widgetSettings(db, brandId);
}

/** Counts a recommendation shown or clicked in the widget (per brand and day; no person). */
export async function countWidget(
  db: Queryable,
  brandId: number,
  kind: 'recommendation_shown' | 'recommendation_clicked',
  n: number,
  now: Date,
) {
  if (n <= 0) return;
  await db.query(
    `INSERT INTO widget_counters (brand_id, day, kind, n) VALUES ($1, ($2::timestamptz AT TIME ZONE 'UTC')::date, $3, $4)
     ON CONFLICT (brand_id, day, kind) DO UPDATE SET n = widget_counters.n + EXCLUDED.n`,
    [brandId, now, kind, n],
  );
}
