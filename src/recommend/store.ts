/**
 * What serving holds in memory per brand: the newest trained model and the catalog. Each process checks now and then
 * (a cheap max(version) query) whether a newer model or a changed catalog exists and swaps the brand's state in one
 * assignment, so a request always sees one consistent model and never waits for a load it did not need.
 */
import type { Logger } from 'pino';
import type { Db } from '../db/pool.js';
import { PRODUCT_COLUMNS, type Product } from '../catalog/catalog.js';
import { deserializeModel } from './model/serialize.js';
import type { RecModel } from './model/types.js';
import { contentWords } from './content.js';

export interface BrandCatalog {
  brandName: string;
  products: Product[];
  byId: Map<string, Product>;
  /** Content word -> products whose name, description, categories or brand contain it. */
  words: Map<string, Product[]>;
  /** count and newest updated_at: a different stamp means the catalog changed. */
  stamp: string;
}

export interface BrandState {
  brandId: number;
  catalog: BrandCatalog;
  model: RecModel | null;
  version: number;
  trainedAt: Date | null;
}

const POLL_MS = Number(process.env.RECOMMEND_POLL_MS ?? 2000);

async function catalogStamps(db: Db, brandIds: number[]): Promise<Map<number, string>> {
  const r = await db.query(
    `SELECT b.id, count(p.product_id)::int AS n, max(p.updated_at) AS at FROM brands b LEFT JOIN products p ON p.brand_id = b.id
      WHERE b.id = ANY($1) GROUP BY b.id`,
    [brandIds],
  );
  return new Map(r.rows.map((row) => [Number(row.id), `${row.n}:${row.at ? (row.at as Date).getTime() : 0}`]));
}

async function loadCatalog(db: Db, brandId: number): Promise<BrandCatalog> {
  const [brand, products] = await Promise.all([
    db.query('SELECT name FROM brands WHERE id = $1', [brandId]),
    db.query(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE brand_id = $1 ORDER BY product_id`, [brandId]),
  ]);
  const list = products.rows as Product[];
  const words = new Map<string, Product[]>();
  for (const p of list) {
    const listed = (key: string) =>
      Array.isArray(p.attributes[key]) ? (p.attributes[key] as unknown[]).join(' ') : '';
    // Ingredients and labels count too: "spicy" is a label, "jalapeño" an ingredient.
    for (const w of contentWords(
      `${p.name} ${p.description} ${p.categories.join(' ')} ${String(p.attributes.brand ?? '')} ${listed('ingredients')} ${listed('diet_labels')}`,
    )) {
      const l = words.get(w);
      if (l) l.push(p);
      else words.set(w, [p]);
    }
  }
  const stamp = (await catalogStamps(db, [brandId])).get(brandId) ?? '0:0';
  return {
    brandName: brand.rows[0]?.name ?? 'this shop',
    products: list,
    byId: new Map(list.map((p) => [p.id, p])),
    words,
    stamp,
  };
}

async function loadModel(
  db: Db,
  brandId: number,
  newerThan = 0,
): Promise<{ model: RecModel; version: number; trainedAt: Date } | null> {
  const r = await db.query(
    'SELECT version, trained_at, model FROM recommend_models WHERE brand_id = $1 AND version > $2 ORDER BY version DESC LIMIT 1',
    [brandId, newerThan],
  );
  if (!r.rows[0]) return null;
  return {
    model: deserializeModel(r.rows[0].model),
    version: Number(r.rows[0].version),
    trainedAt: r.rows[0].trained_at,
  };
}

export class RecommendStore {
  private readonly states = new Map<number, BrandState>();
  private readonly loading = new Map<number, Promise<BrandState>>();
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly log: Pick<Logger, 'info' | 'warn' | 'error'>,
  ) {}

  /** The brand's state, loaded on first use. */
  brand(brandId: number): BrandState | Promise<BrandState> {
    const s = this.states.get(brandId);
    if (s) return s;
    let p = this.loading.get(brandId);
    if (!p) {
      p = (async () => {
        const [catalog, m] = await Promise.all([loadCatalog(this.db, brandId), loadModel(this.db, brandId)]);
        const state: BrandState = {
          brandId,
          catalog,
          model: m?.model ?? null,
          version: m?.version ?? 0,
          trainedAt: m?.trainedAt ?? null,
        };
        this.states.set(brandId, state);
        if (m)
          this.log.info(
            { brandId, version: m.version, modelBytes: m.model.memoryBytes },
            `recommender: brand ${brandId} model version ${m.version} loaded`,
          );
        return state;
      })().finally(() => this.loading.delete(brandId));
      this.loading.set(brandId, p);
    }
    return p;
  }

  /** Loads every brand that has a model (server start). */
  async loadAll(): Promise<void> {
    const r = await this.db.query('SELECT DISTINCT brand_id FROM recommend_models');
    await Promise.all(r.rows.map((row) => this.brand(Number(row.brand_id))));
  }

  loaded(): BrandState[] {
    return [...this.states.values()];
  }

  /** Swaps in newer models and changed catalogs of the loaded brands; one refresh at a time. */
  refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const ids = [...this.states.keys()];
    if (ids.length === 0) return;
    const [versions, stamps] = await Promise.all([
      this.db.query(
        'SELECT brand_id, max(version) AS v FROM recommend_models WHERE brand_id = ANY($1) GROUP BY brand_id',
        [ids],
      ),
      catalogStamps(this.db, ids),
    ]);
    const newest = new Map(versions.rows.map((row) => [Number(row.brand_id), Number(row.v)]));
    for (const id of ids) {
      const cur = this.states.get(id)!;
      const v = newest.get(id) ?? 0;
      const catalogChanged = (stamps.get(id) ?? '0:0') !== cur.catalog.stamp;
      if (v <= cur.version && !catalogChanged) continue;
      const [catalog, m] = await Promise.all([
        catalogChanged ? loadCatalog(this.db, id) : cur.catalog,
        v > cur.version ? loadModel(this.db, id, cur.version) : null,
      ]);
      // One assignment: requests in flight keep the state they started with.
      this.states.set(
        id,
        m ? { brandId: id, catalog, model: m.model, version: m.version, trainedAt: m.trainedAt } : { ...cur, catalog },
      );
      if (m)
        this.log.info(
          { brandId: id, version: m.version, modelBytes: m.model.memoryBytes },
          `recommender: brand ${id} swapped to model version ${m.version}`,
        );
    }
  }

  /** Started by the process's background work (src/server/background.ts). */
  startPolling() {
    if (this.timer || POLL_MS <= 0) return;
    this.timer = setInterval(
      () => void this.refresh().catch((err) => this.log.warn({ err }, 'recommender: refresh failed')),
      POLL_MS,
    );
    this.timer.unref();
  }

  close() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.states.clear();
  }
}

const stores = new WeakMap<Db, RecommendStore>();

/** The store of a database pool: one per process and database. */
export function storeFor(ctx: { db: Db; log: Pick<Logger, 'info' | 'warn' | 'error'> }): RecommendStore {
  let s = stores.get(ctx.db);
  if (!s) stores.set(ctx.db, (s = new RecommendStore(ctx.db, ctx.log)));
  return s;
}
