/**
 * Honest consent in the chat: a default grant never covers a special category (the person grants it, one at a time);
 * a brand the person never linked sees nothing and reads nothing; a brand's thread never says what it is refused.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { grant } from '../gatekeeper/index.js';
import { chatWorld, NOW, type ChatWorld } from './chat-fixtures.js';
import { bearer } from '../testing/harness.js';
import type { NewBrandKeys } from '../brands/index.js';

let w: ChatWorld;
let hearth: NewBrandKeys;
before(async () => {
  w = await chatWorld();
  hearth = await w.sys.brand('Hearth & Home');
});
after(async () => {
  await w.sys.close();
});

const audits = async (personId: string, brandId: number) =>
  Number(
    (
      await w.sys.ctx.db.query('SELECT count(*) FROM audit_log WHERE person_id = $1 AND brand_id = $2', [
        personId,
        brandId,
      ])
    ).rows[0].count,
  );

const brandSees = async (brand: NewBrandKeys, personId: string, purpose: string) => {
  const pid = (
    await w.sys.ctx.db.query('SELECT pid FROM pseudonyms WHERE person_id = $1 AND brand_id = $2', [personId, brand.id])
  ).rows[0]?.pid;
  if (!pid) return [];
  const r = await w.sys.app.inject({
    method: 'GET',
    url: `/v1/people/${pid}/profile?purpose=${purpose}`,
    headers: { authorization: bearer(brand.secretKey) },
  });
  return r.statusCode === 200 ? (r.json().facts as Array<{ kind: string; value: unknown }>) : [];
};

describe('honest consent', () => {
  test('several scopes at once are never an explicit grant, however they are asked for', async () => {
    await grant(w.sys.ctx.db, {
      personId: w.bob.id,
      brandId: w.volt.id,
      scopes: ['profile.diet', 'profile.allergies'],
      purposes: ['marketing'],
      how: 'page',
      explicit: true,
      at: NOW,
    });
    const g = await w.sys.ctx.db.query(
      `SELECT DISTINCT explicit FROM grants WHERE person_id = $1 AND brand_id = $2 AND purpose = 'marketing'`,
      [w.bob.id, w.volt.id],
    );
    assert.deepEqual(g.rows, [{ explicit: false }]);
  });

  test('a special category stated in the chat is not shared by the default grants; the person grants it on its own', async () => {
    const said = await w.say(w.karen.token, 'corner-deli', 'I just went gluten-free');
    assert.match(said.reply.text, /Shall Corner Deli use that for your suggestions\?/);
    for (const purpose of ['service', 'recommendations', 'marketing'])
      assert.ok(
        !(await brandSees(w.deli, w.karen.id, purpose)).some((f) => f.kind === 'diet'),
        `gluten-free (health) is not seen for ${purpose} by default`,
      );
    await w.say(w.karen.token, 'corner-deli', 'yes');
    const g = await w.sys.ctx.db.query(
      `SELECT scope, purpose, explicit, how FROM grants WHERE person_id = $1 AND brand_id = $2 AND how = 'chat' ORDER BY purpose`,
      [w.karen.id, w.deli.id],
    );
    assert.deepEqual(g.rows, [
      { scope: 'profile.diet', purpose: 'recommendations', explicit: true, how: 'chat' },
      { scope: 'profile.diet', purpose: 'service', explicit: true, how: 'chat' },
    ]);
    assert.ok((await brandSees(w.deli, w.karen.id, 'recommendations')).some((f) => f.value === 'gluten_free'));
    assert.ok(!(await brandSees(w.deli, w.karen.id, 'marketing')).some((f) => f.kind === 'diet'), 'not for marketing');
  });

  test('a brand the person never linked sees nothing and reads nothing, even holding grants', async () => {
    await w.say(w.karen.token, 'me', 'my dad loves fly fishing and his birthday is June 3');
    await w.say(w.karen.token, 'me', 'I wear a medium');
    // Grants to Hearth & Home that karen's link never backed (as the old demo seeded).
    await grant(w.sys.ctx.db, {
      personId: w.karen.id,
      brandId: hearth.id,
      scopes: ['profile.sizes', 'profile.likes', 'gifts'],
      purposes: ['service', 'recommendations'],
      how: 'demo',
      explicit: false,
      at: NOW,
    });
    const before = await audits(w.karen.id, hearth.id);
    const know = await w.say(w.karen.token, 'hearth-home', 'what do you know about me?');
    assert.doesNotMatch(know.reply.text, /medium|fly fishing|dad/i);
    assert.doesNotMatch(know.reply.text, /private|can't see|refused/i);
    const gift = await w.say(w.karen.token, 'hearth-home', 'gift ideas for my dad?');
    assert.doesNotMatch(gift.reply.text, /fly fishing|June/i);
    assert.deepEqual(gift.used_facts, []);
    const stated = await w.say(w.karen.token, 'hearth-home', "I'm vegetarian");
    assert.doesNotMatch(stated.reply.text, /Shall Hearth & Home use/, 'an unlinked shop is not offered anything');
    assert.equal(await audits(w.karen.id, hearth.id), before, 'no read of karen was made for Hearth & Home');
  });
});
