import { Type } from '@sinclair/typebox';
import type { App } from '../server/app.js';
import type { AppContext } from '../context.js';
import { brandFromSecretKey, brandSecurity } from '../server/auth.js';

export const BrandSchema = Type.Object({ slug: Type.String(), name: Type.String(), writeKey: Type.String() });

export function brandRoutes(app: App, ctx: AppContext) {
  app.get(
    '/v1/brand',
    {
      schema: {
        tags: ['brands'],
        summary: 'The brand this secret key belongs to',
        security: brandSecurity,
        response: { 200: BrandSchema },
      },
    },
    async (req) => {
      const brand = await brandFromSecretKey(ctx, req);
      return { slug: brand.slug, name: brand.name, writeKey: brand.writeKey };
    },
  );
}
