import { type Static, Type } from '@sinclair/typebox';
import type { Queryable } from '../db/pool.js';

export const ProductInput = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 200 }),
    name: Type.String({ minLength: 1, maxLength: 500 }),
    description: Type.Optional(Type.String({ maxLength: 5000 })),
    price: Type.Optional(Type.Number({ minimum: 0, maximum: 1e9 })),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    categories: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50 })),
    attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    complements: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 100 })),
    in_stock: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ProductInput = Static<typeof ProductInput>;

export interface Product {
  id: string;
  name: string;
  description: string;
  price: number | null;
  currency: string;
  categories: string[];
  attributes: Record<string, unknown>;
  complements: string[];
  inStock: boolean;
}

export const PRODUCT_COLUMNS =
  'product_id AS id, name, description, price, currency, categories, attributes, complements, in_stock AS "inStock"';

/** Inserts or updates products of one brand in one statement. */
export async function upsertProducts(
  db: Queryable,
  brandId: number,
  products: ProductInput[],
  onlyIfMissing = false,
): Promise<number> {
  if (products.length === 0) return 0;
  const r = await db.query(
    `INSERT INTO products (brand_id, product_id, name, description, price, currency, categories, attributes, complements, in_stock)
     SELECT $1, id, name, descr, price, cur, ARRAY(SELECT jsonb_array_elements_text(cats::jsonb)), attrs::jsonb,
            ARRAY(SELECT jsonb_array_elements_text(comps::jsonb)), stock
     FROM unnest($2::text[], $3::text[], $4::text[], $5::numeric[], $6::text[], $7::text[], $8::text[], $9::text[], $10::boolean[])
       AS x(id, name, descr, price, cur, cats, attrs, comps, stock)
     ON CONFLICT (brand_id, product_id) DO ${
       onlyIfMissing
         ? 'NOTHING'
         : `UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description, price = EXCLUDED.price, currency = EXCLUDED.currency,
            categories = EXCLUDED.categories, attributes = EXCLUDED.attributes, complements = EXCLUDED.complements,
            in_stock = EXCLUDED.in_stock, updated_at = now()`
     }`,
    [
      brandId,
      products.map((p) => p.id),
      products.map((p) => p.name),
      products.map((p) => p.description ?? ''),
      products.map((p) => p.price ?? null),
      products.map((p) => p.currency ?? 'USD'),
      products.map((p) => JSON.stringify(p.categories ?? deriveCategories(p.name))),
      products.map((p) => JSON.stringify(p.attributes ?? {})),
      products.map((p) => JSON.stringify(p.complements ?? [])),
      products.map((p) => p.in_stock ?? true),
    ],
  );
  return r.rowCount ?? 0;
}

export async function getProduct(db: Queryable, brandId: number, productId: string): Promise<Product | null> {
  const r = await db.query(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE brand_id = $1 AND product_id = $2`, [
    brandId,
    productId,
  ]);
  return r.rows[0] ?? null;
}

export async function listProducts(
  db: Queryable,
  brandId: number,
  opts: { q?: string; limit: number; offset: number },
): Promise<Product[]> {
  const r = await db.query(
    `SELECT ${PRODUCT_COLUMNS} FROM products WHERE brand_id = $1 AND ($2::text IS NULL OR name ILIKE '%' || $2 || '%')
     ORDER BY product_id LIMIT $3 OFFSET $4`,
    // The words searched for are taken as they are: %, _ and \ are not patterns.
    [brandId, opts.q === undefined ? null : opts.q.replace(/[\\%_]/g, '\\$&'), opts.limit, opts.offset],
  );
  return r.rows;
}

export async function allProducts(db: Queryable, brandId: number): Promise<Product[]> {
  return (await db.query(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE brand_id = $1`, [brandId])).rows;
}

/** A brand's biggest categories of products in stock, largest first. */
export async function topCategories(db: Queryable, brandId: number, n: number): Promise<string[]> {
  const r = await db.query(
    `SELECT c FROM products, unnest(categories) AS c WHERE brand_id = $1 AND in_stock GROUP BY c ORDER BY count(*) DESC, c LIMIT $2`,
    [brandId, n],
  );
  return r.rows.map((x) => x.c as string);
}

/** A brand's products in stock, newest in the catalog first. */
export async function newestProducts(db: Queryable, brandId: number, limit: number): Promise<Product[]> {
  return (
    await db.query(
      `SELECT ${PRODUCT_COLUMNS} FROM products WHERE brand_id = $1 AND in_stock ORDER BY created_at DESC, product_id DESC LIMIT $2`,
      [brandId, limit],
    )
  ).rows;
}

// Words in a gift shop's product names and the category they point to; the first matches win.
const CATEGORY_WORDS: Array<[RegExp, string]> = [
  [/\b(CHRISTMAS|XMAS|ADVENT|SANTA|REINDEER|SNOWFLAKE)\b/, 'christmas'],
  [/\b(CANDLE|T-LIGHT|TEALIGHT|LANTERN|NIGHT LIGHT|LIGHTS?)\b/, 'lighting & candles'],
  [
    /\b(MUG|CUP|TEACUP|SAUCER|PLATE|BOWL|JUG|TEAPOT|CAKE|BAKING|CUTLERY|SPOON|TRAY|TIN|JAR|LUNCH|RECIPE|KITCHEN|APRON|NAPKIN|EGG)\b/,
    'kitchen & dining',
  ],
  [/\b(BAG|SHOPPER|PURSE|TOTE|HANDBAG)\b/, 'bags'],
  [/\b(CARD|WRAP|PAPER|NOTEBOOK|PENCIL|PEN|STICKER|ENVELOPE|CALENDAR|BOOK)\b/, 'stationery & wrap'],
  [
    /\b(FRAME|CLOCK|MIRROR|CUSHION|DOORMAT|SIGN|PLAQUE|HOOK|HANGER|COAT|VASE|WALL|ORNAMENT|DECORATION|GARLAND|BUNTING|HEART)\b/,
    'home decor',
  ],
  [/\b(TOY|GAME|DOLL|PUZZLE|SPACEBOY|DOLLY|CHILDRENS|CHILD|KIDS|TEDDY|SOLDIER)\b/, 'toys & kids'],
  [/\b(GARDEN|PLANT|FLOWER|BIRD|WATERING|PARASOL)\b/, 'garden'],
  [/\b(NECKLACE|BRACELET|EARRINGS|RING|JEWEL|HAIR|SLIDE)\b/, 'jewellery & accessories'],
  [/\b(BOTTLE|WATER BOTTLE|WARMER|BLANKET|THROW)\b/, 'cosy'],
  [/\b(PARTY|BALLOON|BIRTHDAY|GIFT)\b/, 'party & gifts'],
];

/** Categories for a product that came without any, read from words in its name. */
export function deriveCategories(name: string): string[] {
  const upper = name.toUpperCase();
  const found = CATEGORY_WORDS.filter(([re]) => re.test(upper)).map(([, c]) => c);
  return found.length ? [...new Set(found)].slice(0, 3) : ['other'];
}
