import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compose, MAX_WORDS, replyProblems, sentencesOf, wordsOf } from './compose.js';
import {
  byPhrase,
  carrierPhrase,
  clockPhrase,
  complementName,
  dayPhrase,
  itemsPhrase,
  money,
  shortName,
} from './wording.js';
import { channelsIn } from '../messaging/index.js';
import { requestedDelivery } from './answers/actions.js';
import { yesOrNo } from './answers/actions.js';
import { whenSeenPhrase } from './handoffs.js';
import { requestWords } from './suggest.js';
import { constraintsFrom, mayShow } from '../recommend/constraints.js';
import type { Product } from '../catalog/index.js';
import type { StoredFact } from '../profile/facts.js';

describe('the composer enforces the rules of every reply', () => {
  test('a statement and a question; never more than two sentences or 39 words', () => {
    const r = compose({
      say: ['Your package arrives tomorrow', 'It is in a van'],
      ask: 'Want the tracking link',
      actions: [{ label: 'Track', value: 'track' }],
    });
    assert.equal(r.text, 'Your package arrives tomorrow. Want the tracking link?');
    assert.deepEqual(r.actions, [{ label: 'Track', value: 'track' }]);
    assert.equal(compose({ say: ['One', 'Two', 'Three'] }).text, 'One. Two.');
    const long = compose({ say: ['word '.repeat(30).trim()], ask: `And then ${'more '.repeat(12)}` });
    assert.equal(sentencesOf(long.text).length, 1, 'a second sentence over the limit is dropped');
    const huge = compose({ say: ['word '.repeat(60).trim()] });
    assert.ok(wordsOf(huge.text).length <= MAX_WORDS);
    assert.deepEqual(replyProblems(huge.text), []);
  });

  test('a sentence break inside one statement does not make a third sentence', () => {
    const r = compose({ say: ['Your order with No. 5 Cologne. And a hat is here'], ask: 'Anything else?' });
    assert.equal(sentencesOf(r.text).length, 2, r.text);
  });

  test('the checker counts sentences, words and questions like a reader, with URLs as words', () => {
    assert.deepEqual(replyProblems('One. Two. Three.'), ['3 sentences']);
    assert.deepEqual(replyProblems('Here: https://ups.com/track?x=1 (number 1Z). Want more?'), []);
    assert.deepEqual(replyProblems('Why? Really?'), ['more than one question']);
    assert.deepEqual(replyProblems('word '.repeat(40)), ['40 words']);
  });

  test('actions are unique and at most four', () => {
    const r = compose({ say: ['Hi'], actions: [1, 2, 3, 4, 5, 1].map((n) => ({ label: `L${n}`, value: `v${n}` })) });
    assert.deepEqual(
      r.actions.map((a) => a.value),
      ['v1', 'v2', 'v3', 'v4'],
    );
  });
});

describe('wording', () => {
  const p = (
    name: string,
    brand?: string,
    categories: string[] = [],
  ): Pick<Product, 'name' | 'attributes' | 'categories'> => ({ name, attributes: brand ? { brand } : {}, categories });
  test('products as people remember them', () => {
    assert.equal(
      shortName(p('Philips Sonicare ProtectiveClean 6100 Electric Toothbrush', 'Philips')),
      'Philips Sonicare',
    );
    assert.equal(shortName(p('Amazon Echo Dot (5th Gen)', 'Amazon')), 'Amazon Echo');
    assert.equal(
      shortName(p('Sony WH-1000XM5 Wireless Noise Canceling Headphones', 'Sony', ['audio', 'headphones'])),
      'Sony headphones',
    );
    assert.equal(shortName(p('Vitamix E310 Explorian Blender', 'Vitamix')), 'Vitamix blender');
    assert.equal(shortName(p('Colombian Ground Coffee (12 oz)')), 'Colombian Ground Coffee');
    assert.equal(shortName(p('WHITE HANGING HEART T-LIGHT HOLDER')), 'White hanging heart t-light holder');
    assert.equal(
      complementName(
        p('Philips Sonicare Travel Charger', 'Philips'),
        p('Philips Sonicare ProtectiveClean 6100', 'Philips'),
      ),
      'travel charger',
    );
    const items = [1, 2, 3, 4].map((n) => ({
      lineNo: n,
      productId: `p${n}`,
      name: `Item ${n}`,
      quantity: 1,
      unitPrice: n === 2 ? 100 : 10,
      status: 'ok',
    }));
    assert.equal(
      itemsPhrase(items, (i) => i.name),
      'Item 2 and 3 more items',
    );
    assert.equal(
      itemsPhrase(items.slice(0, 2), (i) => i.name),
      'Item 2 and 1 more item',
    );
  });

  test('dates relative to the shopper day, in their zone', () => {
    const now = new Date('2026-11-24T15:00:00Z'); // Tuesday 10 AM in New York
    assert.equal(byPhrase(new Date('2026-11-26T00:00:00Z'), now, 'America/New_York'), 'tomorrow by 7 PM');
    assert.equal(byPhrase(new Date('2026-11-26T00:00:00Z'), now, 'Europe/Berlin'), 'on Thursday by 1 AM');
    assert.equal(dayPhrase(new Date('2026-11-24T22:00:00Z'), now, 'America/New_York'), 'today');
    assert.equal(dayPhrase(new Date('2026-11-27T18:00:00Z'), now, 'America/New_York'), 'on Friday');
    assert.equal(dayPhrase(new Date('2026-11-23T18:00:00Z'), now, 'America/New_York'), 'yesterday');
    assert.equal(dayPhrase(new Date('2026-12-10T18:00:00Z'), now, 'America/New_York'), 'on December 10');
    assert.equal(dayPhrase(new Date('2027-01-10T18:00:00Z'), now, 'America/New_York'), 'on January 10, 2027');
    assert.equal(clockPhrase(new Date('2026-11-24T17:30:00Z'), 'America/New_York'), '12:30 PM');
    assert.equal(clockPhrase(new Date('2026-11-24T17:00:00Z'), 'America/New_York'), 'noon');
  });

  test('money and carriers', () => {
    assert.equal(money(129.99), '$129.99');
    assert.equal(money(6.5), '$6.50');
    assert.equal(money(12, 'GBP'), '£12');
    assert.equal(money(12, 'JPY'), '12 JPY');
    assert.equal(carrierPhrase({ carrier: 'UPS', service: 'UPS Ground' }), 'UPS Ground');
    assert.equal(carrierPhrase({ carrier: 'Corner Deli Courier', service: 'Local delivery' }), 'Corner Deli Courier');
  });

  test('support hours, told in the shopper zone', () => {
    assert.equal(whenSeenPhrase(new Date('2026-11-24T15:00:00Z'), 'America/New_York'), 'today before 5 PM');
    assert.equal(whenSeenPhrase(new Date('2026-11-24T23:00:00Z'), 'America/Chicago'), 'tomorrow after 8 AM');
    assert.equal(whenSeenPhrase(new Date('2026-11-27T23:00:00Z'), 'America/New_York'), 'on Monday after 9 AM');
  });
});

describe('reading the small words', () => {
  test('yes and no', () => {
    for (const y of ['yes', 'Yes please', 'ok', 'sure!', 'go ahead', 'yep thanks']) assert.equal(yesOrNo(y), 'yes', y);
    for (const n of ['no', 'nope', 'No thanks', 'never mind', 'keep it']) assert.equal(yesOrNo(n), 'no', n);
    for (const x of ['yes but cancel the other one', 'no more emails', 'maybe']) assert.equal(yesOrNo(x), null, x);
  });

  test('channels, delivery requests, request words', () => {
    assert.deepEqual(channelsIn('no more emails please'), ['email']);
    assert.deepEqual(channelsIn('stop texting me'), ['sms']);
    assert.deepEqual(channelsIn('STOP'), ['all']);
    assert.deepEqual(channelsIn('no emails or push notifications'), ['email', 'push']);
    const now = new Date('2026-11-24T15:00:00Z');
    assert.deepEqual(requestedDelivery('can it come on Saturday instead', now, 'America/New_York'), {
      option: 'scheduled:2026-11-28',
      optionText: 'delivery on Saturday',
    });
    assert.deepEqual(requestedDelivery('switch to express', now, 'UTC'), {
      option: 'express',
      optionText: 'express delivery',
    });
    assert.deepEqual(requestedDelivery('please deliver to my office instead', now, 'UTC'), { address: true });
    assert.deepEqual(requestWords('What should I have for breakfast?'), ['breakfast']);
    assert.deepEqual(requestWords('I need a rain jacket under $150'), ['rain', 'jacket']);
  });
});

describe('hard constraints', () => {
  const fact = (kind: string, value: unknown, polarity: 'positive' | 'negative' = 'positive'): StoredFact =>
    ({
      id: kind,
      about: 'self',
      kind,
      value,
      polarity,
      source: 'stated',
      sourceBrandId: null,
      confidence: 1,
      sensitivity: 'low',
      scope: 'profile.diet',
      statedAt: new Date(),
      retiredUses: [],
    }) as StoredFact;
  const food = (name: string, diet_labels: string[], allergens: string[], price = 5): Product =>
    ({
      id: name,
      name,
      description: '',
      price,
      currency: 'USD',
      categories: [],
      attributes: { ingredients: ['x'], diet_labels, allergens },
      complements: [],
      inStock: true,
    }) as Product;
  const toothbrush = {
    ...food('Toothbrush', [], [], 100),
    attributes: { brand: 'Philips', ingredients: [], diet_labels: [], allergens: [] },
  } as Product;
  const ok = (facts: StoredFact[], p: Product, _request = '') => mayShow(p, constraintsFrom(facts));

  test('gluten-free means no gluten and no wheat; keto and vegan need the label; a toothbrush is not food', () => {
    assert.equal(ok([fact('diet', 'gluten_free')], food('Bagel', ['vegan'], ['gluten', 'wheat'])), false);
    assert.equal(ok([fact('diet', 'gluten_free')], food('Rye', ['vegan'], ['wheat'])), false);
    assert.equal(ok([fact('diet', 'gluten_free')], food('Tortillas', ['vegan'], [])), true);
    assert.equal(ok([fact('diet', 'keto')], food('Bagel', ['vegan'], ['gluten'])), false);
    assert.equal(ok([fact('diet', 'keto')], food('Egg bites', ['keto'], ['eggs'])), true);
    assert.equal(ok([fact('diet', 'keto')], toothbrush), true);
    assert.equal(ok([fact('allergy', 'peanuts')], food('Trail mix', [], ['peanuts', 'tree_nuts'])), false);
    assert.equal(ok([fact('allergy', 'tree_nuts')], food('Keto bread', ['contains_nuts'], [])), false);
  });

  test('dislikes by words, avoided brands, budgets for what they are for', () => {
    assert.equal(ok([fact('dislike', 'spicy food', 'negative')], food('Jalapeño chips', ['spicy'], [])), false);
    assert.equal(ok([fact('dislike', 'spicy food', 'negative')], food('Sea salt chips', [], [])), true);
    assert.equal(ok([fact('brand', 'philips', 'negative')], toothbrush), false);
    assert.equal(
      ok([fact('budget', { max: 50, currency: 'USD', for: 'toothbrush' })], toothbrush, 'an electric toothbrush'),
      false,
    );
    assert.equal(
      ok([fact('budget', { max: 50, currency: 'USD', for: 'rain jacket' })], toothbrush, 'an electric toothbrush'),
      true,
    );
  });
});
