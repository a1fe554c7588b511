import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, testSystem, type TestSystem } from '../testing/harness.js';
import { mailbox } from '../testing/mailbox.js';
import type { NewBrandKeys } from '../brands/brands.js';

let sys: TestSystem;
let box: Awaited<ReturnType<typeof mailbox>>;
let clock = Date.parse('2026-11-20T10:00:00Z');
let a: NewBrandKeys;
let b: NewBrandKeys;
before(async () => {
  box = await mailbox();
  process.env.SMTP_URL = box.url;
  sys = await testSystem({ now: () => new Date(clock) });
  a = await sys.brand('Corner Shop');
  b = await sys.brand('Other Shop');
});
after(async () => {
  await sys.close();
  await box.close();
});

const as = (token: string) => ({ authorization: bearer(token) });

describe('sign-in by e-mailed one-time link', () => {
  test('the link from the e-mail signs the browser in with an HTTP-only cookie, once', async () => {
    const sent = await sys.app.inject({ method: 'POST', url: '/v1/auth/email', payload: { email: 'Ann@Example.com' } });
    assert.equal(sent.statusCode, 202);
    assert.deepEqual(sent.json(), { sent: true, expires_in_minutes: 15 });
    const link = await box.linkFor('Ann@Example.com');
    assert.equal(link.origin, 'http://localhost:4545');
    // Following the link only shows a page that asks; a prefetcher or mail scanner opening it spends nothing.
    for (let i = 0; i < 2; i++) {
      const opened = await sys.app.inject({ method: 'GET', url: link.pathname + link.search });
      assert.equal(opened.statusCode, 200);
      assert.match(String(opened.headers['content-type']), /^text\/html/);
      assert.match(opened.body, /Sign in as Ann@Example\.com\?/);
      assert.match(opened.body, /<form method="post" action="\/v1\/auth\/verify">/);
      assert.equal(opened.cookies.length, 0, 'no session from a GET');
    }
    const token = link.searchParams.get('token')!;
    // The page's button posts the token as a form; from another site, the post is refused (login CSRF) and not spent.
    const form = (origin: string, site = 'same-origin') => ({
      method: 'POST' as const,
      url: '/v1/auth/verify',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin,
        host: 'localhost:4545',
        'sec-fetch-site': site,
      },
      payload: new URLSearchParams({ token }).toString(),
    });
    for (const foreign of [
      await sys.app.inject(form('https://evil.example', 'cross-site')),
      await sys.app.inject(form('null', 'cross-site')),
      // an older browser: no Sec-Fetch-Site, only the Origin
      await sys.app.inject({
        ...form('https://evil.example'),
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', host: 'x' },
      }),
    ]) {
      assert.equal(foreign.statusCode, 403);
      assert.match(foreign.body, /came from another site/);
      assert.equal(foreign.cookies.length, 0);
    }
    const followed = await sys.app.inject(form('http://localhost:4545'));
    assert.equal(followed.statusCode, 303);
    assert.equal(followed.headers.location, '/');
    const cookie = followed.cookies.find((c) => c.name === 'confidant_session');
    assert.ok(cookie, 'sets the session cookie');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
    const me = await sys.app.inject({ url: '/v1/me/profile', cookies: { confidant_session: cookie.value } });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().person.email, 'Ann@Example.com');
    // The token is stored hashed only, and a link works once.
    const stored = await sys.ctx.db.query('SELECT count(*)::int AS n FROM sign_in_links WHERE token_hash = $1', [
      link.searchParams.get('token'),
    ]);
    assert.equal(stored.rows[0].n, 0);
    // A spent link shows a page (not JSON), when opened and when posted again.
    const again = await sys.app.inject({ method: 'GET', url: link.pathname + link.search });
    assert.equal(again.statusCode, 401);
    assert.match(String(again.headers['content-type']), /^text\/html/);
    assert.match(again.body, /This sign-in link is used or expired/);
    const postedAgain = await sys.app.inject(form('http://localhost:4545'));
    assert.equal(postedAgain.statusCode, 401);
    assert.match(postedAgain.body, /This sign-in link is used or expired/);
    for (const url of ['/v1/auth/verify', '/v1/auth/verify?token=x', '/v1/auth/verify?token=sil_not_a_real_one'])
      assert.match((await sys.app.inject({ url })).body, /used or expired/, url);
    const person = await sys.ctx.db.query('SELECT claimed FROM persons WHERE lower(email) = $1', ['ann@example.com']);
    assert.deepEqual(person.rows, [{ claimed: true }]);
  });

  test('the API spends the token for a bearer token; the same address is the same person; logout revokes it', async () => {
    await sys.app.inject({ method: 'POST', url: '/v1/auth/email', payload: { email: 'ann@example.com' } });
    const link = await box.linkFor('ann@example.com');
    const r = await sys.app.inject({
      method: 'POST',
      url: '/v1/auth/verify',
      payload: { token: link.searchParams.get('token') },
    });
    assert.equal(r.statusCode, 200);
    const token = r.json().token as string;
    assert.match(token, /^tok_/);
    const me = await sys.app.inject({ url: '/v1/me/profile', headers: as(token) });
    assert.equal(me.json().person.email, 'Ann@Example.com');
    assert.equal(
      (await sys.ctx.db.query(`SELECT count(*)::int AS n FROM persons WHERE lower(email) = 'ann@example.com'`)).rows[0]
        .n,
      1,
    );
    const out = await sys.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: as(token) });
    assert.equal(out.statusCode, 200);
    assert.equal((await sys.app.inject({ url: '/v1/me/profile', headers: as(token) })).statusCode, 401);
    assert.equal(
      (await sys.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: as(token) })).statusCode,
      401,
    );
  });

  test('a link expires after 15 minutes', async () => {
    await sys.app.inject({ method: 'POST', url: '/v1/auth/email', payload: { email: 'late@example.com' } });
    const link = await box.linkFor('late@example.com');
    clock += 16 * 60_000;
    const r = await sys.app.inject({
      method: 'POST',
      url: '/v1/auth/verify',
      payload: { token: link.searchParams.get('token') },
    });
    assert.equal(r.statusCode, 401);
    const opened = await sys.app.inject({ url: link.pathname + link.search });
    assert.equal(opened.statusCode, 401);
    assert.match(opened.body, /This sign-in link is used or expired/, 'an expired link shows a page');
    assert.equal(
      (await sys.ctx.db.query(`SELECT count(*)::int AS n FROM persons WHERE email = 'late@example.com'`)).rows[0].n,
      0,
      'no person before the link is followed',
    );
  });

  test('bad input is named; too many links for one address are refused', async () => {
    const bad = await sys.app.inject({ method: 'POST', url: '/v1/auth/email', payload: { email: 'not an address' } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.path, '/body/email');
    const noToken = await sys.app.inject({ method: 'POST', url: '/v1/auth/verify', payload: {} });
    assert.equal(noToken.json().error.path, '/body/token');
    const codes: number[] = [];
    for (let i = 0; i < 6; i++)
      codes.push(
        (await sys.app.inject({ method: 'POST', url: '/v1/auth/email', payload: { email: 'flood@example.com' } }))
          .statusCode,
      );
    assert.deepEqual(codes, [202, 202, 202, 202, 202, 429]);
  });
});

describe('linking a brand customer to a person: only when the person confirms', () => {
  test("the brand's data stays apart until the person confirms, then joins their profile", async () => {
    const order = {
      order_id: 'CS-1',
      customer_id: 'c-100',
      placed_at: '2026-11-18T10:00:00Z',
      items: [{ product_id: 'P1', name: 'Rye Bread', quantity: 2, unit_price: 4 }],
    };
    assert.equal(
      (
        await sys.app.inject({
          method: 'POST',
          url: '/v1/orders',
          headers: as(a.secretKey),
          payload: { orders: [order] },
        })
      ).statusCode,
      200,
    );
    const basic = `Basic ${Buffer.from(`${a.writeKey}:`).toString('base64')}`;
    await sys.app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { authorization: basic },
      payload: { userId: 'c-100', event: 'Product Viewed', properties: { product_id: 'P2' } },
    });
    const shadow = (
      await sys.ctx.db.query(`SELECT person_id FROM brand_customers WHERE brand_id = $1 AND external_id = 'c-100'`, [
        a.id,
      ])
    ).rows[0].person_id;

    const me = await sys.shopper({ name: 'Cleo' });
    const before = JSON.parse((await sys.app.inject({ url: '/v1/me/export', headers: as(me.token) })).body);
    assert.deepEqual(before.orders, []);
    assert.deepEqual(before.events, []);
    assert.deepEqual((await sys.app.inject({ url: '/v1/me/links', headers: as(me.token) })).json(), { links: [] });

    const req = await sys.app.inject({
      method: 'POST',
      url: '/v1/people/link-requests',
      headers: as(a.secretKey),
      payload: { customer_id: 'c-100' },
    });
    assert.equal(req.statusCode, 201);
    const { code, url } = req.json();
    assert.match(url, new RegExp(`code=${code}$`));
    assert.equal(
      (await sys.app.inject({ url: `/v1/people/link-requests/${code}`, headers: as(a.secretKey) })).json().status,
      'pending',
    );
    assert.equal(
      (await sys.app.inject({ url: `/v1/people/link-requests/${code}`, headers: as(b.secretKey) })).statusCode,
      404,
      "another brand's request is not found",
    );
    // The brand alone cannot link: nothing changed yet.
    assert.equal(
      (await sys.ctx.db.query('SELECT count(*)::int AS n FROM orders WHERE person_id = $1', [me.person.id])).rows[0].n,
      0,
    );

    const preview = await sys.app.inject({ url: `/v1/me/links/${code}`, headers: as(me.token) });
    assert.deepEqual(preview.json(), { brand: { slug: a.slug, name: 'Corner Shop' }, customer_id: 'c-100' });
    const confirmed = await sys.app.inject({ method: 'POST', url: `/v1/me/links/${code}`, headers: as(me.token) });
    assert.equal(confirmed.statusCode, 200);
    // The purchase's trust signal moves with the order.
    assert.deepEqual(confirmed.json().moved, { orders: 1, order_items: 1, events: 1, trust_signals: 1 });

    const links = (await sys.app.inject({ url: '/v1/me/links', headers: as(me.token) })).json().links;
    assert.deepEqual(
      links.map((l: { brand: { slug: string }; customer_id: string }) => [l.brand.slug, l.customer_id]),
      [[a.slug, 'c-100']],
    );
    const exported = JSON.parse((await sys.app.inject({ url: '/v1/me/export', headers: as(me.token) })).body);
    assert.equal(exported.orders.length, 1);
    assert.equal(exported.orders[0].items[0].name, 'Rye Bread');
    assert.equal(exported.events.length, 1);
    assert.equal(
      (await sys.ctx.db.query('SELECT count(*)::int AS n FROM persons WHERE id = $1', [shadow])).rows[0].n,
      0,
      'the shadow person is gone',
    );

    const status = (await sys.app.inject({ url: `/v1/people/link-requests/${code}`, headers: as(a.secretKey) })).json();
    assert.equal(status.status, 'confirmed');
    assert.match(status.pid, /^p_/);
    assert.equal(
      (await sys.app.inject({ url: `/v1/people/${status.pid}/profile?purpose=service`, headers: as(a.secretKey) }))
        .statusCode,
      200,
    );
    assert.equal(
      (await sys.app.inject({ url: `/v1/people/${status.pid}/profile?purpose=service`, headers: as(b.secretKey) }))
        .statusCode,
      404,
    );
    // The brand still finds its order, now the person's.
    assert.equal(
      (await sys.app.inject({ url: '/v1/orders/CS-1', headers: as(a.secretKey) })).json().customerId,
      'c-100',
    );

    // A code works once, and a customer someone has claimed cannot be moved to another person.
    assert.equal(
      (await sys.app.inject({ method: 'POST', url: `/v1/me/links/${code}`, headers: as(me.token) })).statusCode,
      404,
    );
    const thief = await sys.shopper({ name: 'Mallory' });
    const code2 = (
      await sys.app.inject({
        method: 'POST',
        url: '/v1/people/link-requests',
        headers: as(a.secretKey),
        payload: { customer_id: 'c-100' },
      })
    ).json().code;
    const stolen = await sys.app.inject({ method: 'POST', url: `/v1/me/links/${code2}`, headers: as(thief.token) });
    assert.equal(stolen.statusCode, 409);
    assert.equal(
      (await sys.ctx.db.query('SELECT count(*)::int AS n FROM orders WHERE person_id = $1', [me.person.id])).rows[0].n,
      1,
    );
  });

  test('link codes: unknown or expired is 404; a brand key is not a person', async () => {
    const me = await sys.shopper();
    assert.equal(
      (await sys.app.inject({ method: 'POST', url: '/v1/me/links/lnk_nope_nope_nope', headers: as(me.token) }))
        .statusCode,
      404,
    );
    const code = (
      await sys.app.inject({
        method: 'POST',
        url: '/v1/people/link-requests',
        headers: as(a.secretKey),
        payload: { customer_id: 'c-200' },
      })
    ).json().code;
    assert.equal(
      (await sys.app.inject({ method: 'POST', url: `/v1/me/links/${code}`, headers: as(a.secretKey) })).statusCode,
      401,
    );
    clock += 25 * 3600_000;
    assert.equal(
      (await sys.app.inject({ method: 'POST', url: `/v1/me/links/${code}`, headers: as(me.token) })).statusCode,
      404,
    );
    assert.equal(
      (await sys.app.inject({ url: `/v1/people/link-requests/${code}`, headers: as(a.secretKey) })).json().status,
      'expired',
    );
    const missing = await sys.app.inject({
      method: 'POST',
      url: '/v1/people/link-requests',
      headers: as(a.secretKey),
      payload: {},
    });
    assert.equal(missing.json().error.path, '/body/customer_id');
  });
});
