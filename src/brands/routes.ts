import { Type } from '@sinclair/typebox';
import type { App } from '../server/app.js';
import type { AppContext } from '../context.js';
import { brandFromSecretKey, brandSecurity } from '../server/auth.js';
import { paymentMethodsOf, setPaymentMethods } from './brands.js';

const PaymentMethods = Type.Object(
  {
    payment_methods: Type.Array(Type.String({ minLength: 1, maxLength: 60, pattern: '\\S' }), {
      maxItems: 20,
      uniqueItems: true,
      description: 'How the shop takes payment, in its own words ("Visa", "PayPal", "cash on pickup")',
    }),
  },
  { additionalProperties: false },
);

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

  app.get(
    '/v1/brand/payment-methods',
    {
      schema: {
        tags: ['brands'],
        summary: 'How the shop takes payment (the chat answers "how do I pay?" from it)',
        security: brandSecurity,
        response: { 200: PaymentMethods },
      },
    },
    async (req) => {
      const brand = await brandFromSecretKey(ctx, req);
      return { payment_methods: (await paymentMethodsOf(ctx.db, brand.id)) ?? [] };
    },
  );

  app.put(
    '/v1/brand/payment-methods',
    {
      schema: {
        tags: ['brands'],
        summary: 'Set how the shop takes payment',
        security: brandSecurity,
        body: PaymentMethods,
        response: { 200: PaymentMethods },
      },
    },
    async (req) => {
      const brand = await brandFromSecretKey(ctx, req);
      await setPaymentMethods(ctx.db, brand.id, req.body.payment_methods);
      return { payment_methods: req.body.payment_methods };
    },
  );
}
