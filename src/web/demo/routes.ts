/**
 * `/demo/{brand}`: a small shop page for each demo brand, with the brand's real catalog (names and prices) and the
 * chat widget on it, embedded exactly as a shop would. The page plays the shop's own server too: a customer who
 * "signs in" here (`?customer=volt-karen`) is vouched for with an HMAC of their id, computed on this server.
 */
import { Type } from '@sinclair/typebox';
import type { App } from '../../server/app.js';
import type { AppContext } from '../../context.js';
import { brandBySlug } from '../../brands/brands.js';
import { listProducts, type Product } from '../../catalog/catalog.js';
import { DEMO_BRANDS } from '../../demo/load.js';
import { AppError } from '../../errors.js';
import { customerHash, identitySecret } from '../widget/token.js';

const TAGLINES: Record<string, string> = {
  volt: 'Electronics that just work, and the accessories that go with them.',
  'corner-deli': 'Fresh bread, good coffee and a deli counter that knows your diet.',
  'hearth-home': 'Gifts and homeware for every season.',
};
const COLORS: Record<string, string> = { volt: '#1e40af', 'corner-deli': '#7c2d12', 'hearth-home': '#6b2153' };

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const price = (p: Product) =>
  p.price == null
    ? ''
    : new Intl.NumberFormat('en-US', { style: 'currency', currency: p.currency || 'USD' }).format(p.price);

export function demoShopRoutes(app: App, ctx: AppContext) {
  app.get(
    '/demo/:brand',
    {
      schema: {
        hide: true,
        params: Type.Object({ brand: Type.String({ maxLength: 64 }) }),
        querystring: Type.Object({ customer: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }),
      },
    },
    async (req, reply) => {
      const demo = DEMO_BRANDS.find((b) => b.slug === req.params.brand);
      const brand = demo ? await brandBySlug(ctx.db, demo.slug) : null;
      if (!demo || !brand)
        throw new AppError('not_found', `no demo shop "${req.params.brand}" (volt, corner-deli, hearth-home)`);
      const products = (await listProducts(ctx.db, brand.id, { limit: 200, offset: 0 }))
        .filter((p) => p.price != null)
        .slice(0, 48);
      const customer = req.query.customer;
      const signedIn = customer
        ? `data-customer-id="${esc(customer)}" data-customer-hash="${customerHash(identitySecret(ctx.secret, brand.id), customer)}"`
        : '';
      const base = `${req.protocol}://${req.headers.host}`;
      const prefix = brand.slug === 'corner-deli' ? 'deli' : brand.slug;
      const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(brand.name)}: demo shop</title>
<link rel="stylesheet" href="/demo.css">
<script src="/demo.js" defer></script>
</head>
<body class="shop-${esc(brand.slug)}">
<header class="shop">
  <a class="logo" href="/demo/${esc(brand.slug)}">${esc(brand.name)}</a>
  <p class="tagline">${esc(TAGLINES[brand.slug] ?? '')}</p>
  ${
    customer
      ? `<p class="account">Signed in as <strong>${esc(customer)}</strong> · <a href="/demo/${esc(brand.slug)}">Sign out</a></p>`
      : `<form class="account" method="get" action="/demo/${esc(brand.slug)}"><label for="customer">Customer id</label> <input id="customer" name="customer" value="${esc(`${prefix}-karen`)}"> <button type="submit">Sign in</button></form>`
  }
</header>
<main>
  <p class="demo-note">A demo shop. The chat in the corner is Confidant's widget, embedded with one script tag.${
    customer ? ' Your shop account is vouched for by this shop’s server.' : ''
  }</p>
  ${customer ? '<p><button type="button" id="ask-sizes" class="secondary">Let us use your sizes in our offers</button></p>' : ''}
  <h1>Popular at ${esc(brand.name)}</h1>
  <ul class="products">
${products
  .map(
    (p) => `    <li id="p-${esc(p.id)}" class="product">
      <h2>${esc(p.name)}</h2>
      <p class="description">${esc(p.description ?? '')}</p>
      <p class="price">${esc(price(p))}</p>
      <button type="button" class="secondary view" data-product="${esc(p.id)}" aria-label="Look at ${esc(p.name)}">Look closer</button>
    </li>`,
  )
  .join('\n')}
  </ul>
</main>
<script src="${esc(base)}/widget.js" data-brand="${esc(brand.slug)}" data-color="${COLORS[brand.slug] ?? '#2f6f4f'}" data-product-url="/demo/${esc(brand.slug)}#p-{id}" ${signedIn} async></script>
</body>
</html>`;
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
    },
  );
}
