import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { factsOf } from '../profile/facts.js';
import { chatWorld, NOW, type ChatWorld } from './chat-fixtures.js';
import { grant } from '../gatekeeper/index.js';
import { bearer } from '../testing/harness.js';

let w: ChatWorld;
before(async () => {
  w = await chatWorld();
});
after(async () => {
  assert.ok(w.replies.length >= 25, `every reply checked (${w.replies.length})`);
  await w.sys.close();
});

const dad = (text: string) => w.say(w.dad.token, 'corner-deli', text);
const karen = (where: string, text: string) => w.say(w.karen.token, where, text);
const deli = async (ids: string[]) =>
  (
    await w.sys.ctx.db.query(
      'SELECT product_id AS id, name, attributes FROM products WHERE brand_id = $1 AND product_id = ANY($2)',
      [w.deli.id, ids],
    )
  ).rows;

describe('a stated diet changes the very next suggestion', () => {
  test('the bagel habit first; "I\'m doing keto now" is confirmed; the next breakfast is keto only, with the fact named', async () => {
    const before = await dad('what should I have for breakfast?');
    assert.equal(before.understood.intent, 'recommend');
    assert.match(before.reply.text, /Plain Bagel/, 'the old habit shows before');

    const said = await dad("I'm doing keto now");
    assert.equal(said.understood.intent, 'state_fact');
    assert.match(said.reply.text, /^Got it: keto from now on\./);
    assert.equal(said.used_facts[0].kind, 'diet');
    const stored = (await factsOf(w.sys.ctx.db, w.dad.id)).find((f) => f.kind === 'diet')!;
    assert.deepEqual([stored.value, stored.source, stored.polarity], ['keto', 'stated', 'positive']);
    assert.ok(stored.confidence > 0.5);

    const next = await dad('what should I have for breakfast?');
    assert.doesNotMatch(next.reply.text, /bagel/i);
    assert.match(next.reply.text, /^Keto picks: /);
    const picked = next.reply.actions.map((a) => a.value.replace(/^show me the /, ''));
    assert.equal(picked.length, 3);
    const products = (
      await w.sys.ctx.db.query('SELECT name, attributes FROM products WHERE brand_id = $1 AND name = ANY($2)', [
        w.deli.id,
        picked,
      ])
    ).rows;
    assert.equal(products.length, 3);
    for (const p of products) assert.ok(p.attributes.diet_labels.includes('keto'), `${p.name} is keto`);
    assert.deepEqual(
      next.used_facts.map((f) => [f.kind, f.value]),
      [['diet', 'keto']],
    );
    assert.equal(next.used_facts[0].source, 'stated');
  });

  test("a diet said in the chat binds the very next recommendation call, the shopper's and the brand's", async () => {
    const nina = await w.sys.shopper({ name: 'Nina', brands: [{ brand: w.deli, customerId: 'deli-nina' }] });
    await grant(w.sys.ctx.db, {
      personId: nina.person.id,
      brandId: w.deli.id,
      scopes: ['profile.diet'],
      purposes: ['recommendations'],
      how: 'page',
      explicit: true,
      at: NOW,
    });
    const vegan = async (items: Array<{ product_id: string }>) =>
      (await deli(items.map((i) => i.product_id)))
        .filter((p) => p.attributes.ingredients?.length)
        .every((p) => p.attributes.diet_labels.includes('vegan'));
    const mine = async () =>
      (
        await w.sys.app.inject({
          url: '/v1/me/recommendations?brand=corner-deli&k=10',
          headers: { authorization: bearer(nina.token) },
        })
      ).json();
    const brands = async () =>
      (
        await w.sys.app.inject({
          url: `/v1/recommendations?person=${nina.pids.get(w.deli.id)}&k=10`,
          headers: { authorization: bearer(w.deli.secretKey) },
        })
      ).json();
    assert.equal(await vegan((await mine()).items), false, 'before, the list has things that are not vegan');

    const said = await w.say(nina.token, 'corner-deli', "I'm vegan now");
    assert.match(said.reply.text, /^Got it: vegan from now on\./);
    for (const list of [await mine(), await brands()]) {
      assert.equal(list.items.length, 10);
      assert.equal(await vegan(list.items), true, JSON.stringify(list.items.map((i: { name: string }) => i.name)));
      assert.deepEqual(
        list.constraints.map((c: { label: string }) => c.label),
        ['vegan'],
      );
    }
  });

  test('"why did you suggest that?" names the facts used; "too creepy" retires that use and says so', async () => {
    const why = await dad('why did you suggest that?');
    assert.equal(why.understood.intent, 'what_do_you_know');
    assert.match(why.reply.text, /because of keto \(you told me\)/);
    const creepy = await dad("that's creepy, how do you know that");
    assert.equal(creepy.understood.intent, 'too_creepy');
    assert.match(creepy.reply.text, /^Sorry, that was too much\. I won't use keto for suggestions again\.$/);
    const fact = (await factsOf(w.sys.ctx.db, w.dad.id)).find((f) => f.kind === 'diet')!;
    assert.deepEqual(fact.retiredUses, ['recommendations']);
    const again = await dad('any snack ideas?');
    assert.deepEqual(again.used_facts, [], 'the retired use is not made again');
  });

  test('gluten-free: nothing with gluten or wheat, in the same message as the request', async () => {
    const t = await karen('corner-deli', 'I just went gluten-free, what bread do you have?');
    assert.match(t.reply.text, /^Got it: gluten-free from now on\./);
    const names = t.reply.actions.map((a) => a.value.replace(/^show me the /, ''));
    assert.ok(names.length > 0);
    const rows = (
      await w.sys.ctx.db.query('SELECT name, attributes FROM products WHERE brand_id = $1 AND name = ANY($2)', [
        w.deli.id,
        names,
      ])
    ).rows;
    for (const p of rows)
      assert.ok(
        !p.attributes.allergens.includes('gluten') && !p.attributes.allergens.includes('wheat'),
        `${p.name} has no gluten`,
      );
    assert.ok(t.used_facts.some((f) => f.value === 'gluten_free'));
  });

  test('a fact the brand may not use yet: the one question asks, and "yes" grants it for suggestions', async () => {
    const t = await dad("I'm allergic to peanuts");
    assert.match(
      t.reply.text,
      /^Got it: you're allergic to peanuts\. Shall Corner Deli use that for your suggestions\?$/,
    );
    await dad('yes');
    const g = await w.sys.ctx.db.query(
      `SELECT purpose, explicit, how FROM grants WHERE person_id = $1 AND brand_id = $2 AND scope = 'profile.allergies' ORDER BY purpose`,
      [w.dad.id, w.deli.id],
    );
    assert.deepEqual(g.rows, [
      { purpose: 'recommendations', explicit: true, how: 'chat' },
      { purpose: 'service', explicit: true, how: 'chat' },
    ]);
    const snacks = await dad('snack ideas?');
    const ids = (
      await w.sys.ctx.db.query('SELECT product_id FROM products WHERE brand_id = $1 AND name = ANY($2)', [
        w.deli.id,
        snacks.reply.actions.map((a) => a.value.replace(/^show me the /, '')),
      ])
    ).rows.map((r) => r.product_id);
    for (const p of await deli(ids)) assert.ok(!p.attributes.allergens.includes('peanuts'), `${p.name} has no peanuts`);
  });
});

describe('facts about the people they shop for are kept apart', () => {
  test("dad's birthday and fly fishing are confirmed, used for his gifts only, never for Karen herself", async () => {
    const said = await karen('corner-deli', "My dad's birthday is on June 3 and he loves fly fishing");
    assert.equal(said.reply.text.split('. ')[0], "Got it: your dad's birthday is on June 3 and he likes fly fishing");
    const facts = await factsOf(w.sys.ctx.db, w.karen.id);
    assert.deepEqual(
      facts.filter((f) => f.about === 'dad').map((f) => f.scope),
      ['gifts', 'gifts'],
    );
    await karen('corner-deli', 'I love spicy food');
    const gift = await karen('corner-deli', 'gift ideas for my dad');
    assert.ok(
      gift.used_facts.every((f) => f.about === 'dad'),
      'gift mode uses dad only',
    );
    assert.doesNotMatch(gift.reply.text, /spicy|jalape|chili|hot/i, "Karen's own taste stays out of dad's gifts");
    const mine = await karen('corner-deli', 'what do you recommend?');
    assert.ok(
      mine.used_facts.every((f) => f.about === 'self'),
      "dad's facts never shape Karen's own suggestions",
    );
    assert.ok(mine.used_facts.some((f) => f.value === 'spicy food'));
  });

  test('gift ideas for someone unknown ask one profiling question, saying why', async () => {
    const t = await karen('volt', 'what should I get my sister?');
    assert.match(t.reply.text, /What does your sister enjoy, so I can pick something that fits\?$/);
    assert.equal((t.reply.text.match(/\?/g) ?? []).length, 1);
  });
});

describe('forget, and what do you know', () => {
  test('"forget my shoe size" retracts it and says so; "I\'m not vegan anymore" too', async () => {
    await karen('volt', 'my shoe size is 10');
    const forget = await karen('volt', 'forget my shoe size');
    assert.equal(forget.understood.intent, 'forget_fact');
    assert.match(forget.reply.text, /^Done, I've forgotten your shoe size\./);
    assert.ok(!(await factsOf(w.sys.ctx.db, w.karen.id)).some((f) => f.kind === 'size'));
    const nothing = await karen('volt', 'forget my shoe size');
    assert.match(nothing.reply.text, /nothing to forget/);
    await karen('me', "I'm vegan");
    const vegan = await karen('me', "I'm not vegan anymore");
    assert.match(vegan.reply.text, /^Done, I've forgotten that you're vegan\./);
    assert.ok(!(await factsOf(w.sys.ctx.db, w.karen.id)).some((f) => f.value === 'vegan'));
  });

  test('"what do you know about me?" lists facts with where each came from; a brand sees only what it may use', async () => {
    const me = await karen('me', 'what do you know about me?');
    assert.equal(me.understood.intent, 'what_do_you_know');
    assert.match(me.reply.text, /^Here is what I know: /);
    assert.match(me.reply.text, /gluten-free \(you told me\)/);
    assert.match(me.reply.text, /about your dad/);
    assert.ok(me.used_facts.every((f) => f.source === 'stated'));
    // Observed facts name the brand they came from.
    const { recordFacts } = await import('../profile/facts.js');
    await recordFacts(
      w.sys.ctx.db,
      w.karen.id,
      [{ about: 'self', kind: 'like', value: 'smart home gadgets', polarity: 'positive' }],
      { source: 'observed', confidence: 0.6, at: new Date(), brandId: w.volt.id },
    );
    const seen = await karen('me', 'what do you know about me?');
    assert.match(seen.reply.text, /likes smart home gadgets \(seen at Volt\)/);
    // Gluten-free is health data: Volt was granted profile.diet explicitly here, but allergies and budget stay private,
    // and Volt's own thread (which its operators read) does not say how much it is refused.
    await karen('me', "I'm allergic to shellfish");
    const volt = await karen('volt', 'what do you know about me?');
    assert.doesNotMatch(volt.reply.text, /shellfish/);
    assert.doesNotMatch(volt.reply.text, /private|can't see|cannot see|refused|\d+ more/i);
    const aboutDad = await karen('me', 'what do you know about my dad?');
    assert.match(aboutDad.reply.text, /^About your dad, I know: /);
    assert.match(aboutDad.reply.text, /fly fishing/);
  });
});
