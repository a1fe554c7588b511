import { Type } from '@sinclair/typebox';
import type { App } from '../server/app.js';
import type { AppContext } from '../context.js';
import { brandFromSecretKey, brandSecurity } from '../server/auth.js';
import { inTransaction } from '../db/pool.js';
import { notFound } from '../errors.js';
import { ProductInput, getProduct, listProducts, upsertProducts } from './catalog.js';
import { refuseRepeats } from '../validation.js';

export const ProductSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  price: Type.Union([Type.Number(), Type.Null()]),
  currency: Type.String(),
  categories: Type.Array(Type.String()),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  complements: Type.Array(Type.String()),
  inStock: Type.Boolean(),
});

export function catalogRoutes(app: App, ctx: AppContext) {
  app.put(
    '/v1/catalog/products',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Add or update products (all or nothing)',
        security: brandSecurity,
        body: Type.Object({ products: Type.Array(ProductInput, { minItems: 1, maxItems: 5000 }) }),
        response: { 200: Type.Object({ stored: Type.Integer() }) },
      },
    },
    async (req) => {
      const brand = await brandFromSecretKey(ctx, req);
      refuseRepeats(
        req.body.products,
        (p) => p.id,
        (i) => `/body/products/${i}/id`,
      );
      const stored = await inTransaction(ctx.db, (tx) => upsertProducts(tx, brand.id, req.body.products));
      return { stored };
    },
  );

  app.get(
    '/v1/catalog/products',
    {
      schema: {
        tags: ['catalog'],
        summary: "List the brand's products",
        security: brandSecurity,
        querystring: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 200 })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: { 200: Type.Object({ products: Type.Array(ProductSchema) }) },
      },
    },
    async (req) => {
      const brand = await brandFromSecretKey(ctx, req);
      return { products: await listProducts(ctx.db, brand.id, req.query) };
    },
  );

  app.get(
    '/v1/catalog/products/:productId',
    {
      schema: {
        tags: ['catalog'],
        summary: 'One product',
        security: brandSecurity,
        params: Type.Object({ productId: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: ProductSchema },
      },
    },
    async (req) => {
      const brand = await brandFromSecretKey(ctx, req);
      const product = await getProduct(ctx.db, brand.id, req.params.productId);
      if (!product) throw notFound(`product "${req.params.productId}"`);
      return product;
    },
  );
}
