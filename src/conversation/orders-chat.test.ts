import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer } from '../testing/harness.js';
import { chatWorld, NOW, type ChatWorld } from './chat-fixtures.js';

let w: ChatWorld;
before(async () => {
  w = await chatWorld();
});
after(async () => {
  assert.ok(w.replies.length >= 30, `every reply checked (${w.replies.length})`);
  await w.sys.close();
});

const karenAt = (where: string, text: string) => w.say(w.karen.token, where, text);
const row = async (sql: string, params: unknown[]) => (await w.sys.ctx.db.query(sql, params)).rows[0];

describe('answers from the brand data about the shopper own orders', () => {
  test('"When will my order arrive?" meets the bar: items as remembered, relative day, carrier, and a leading question', async () => {
    const t = await karenAt('volt', 'When will my order arrive?');
    assert.equal(t.understood.intent, 'order_status');
    assert.equal(
      `${t.reply.text.split('. ')[0]}.`,
      'Your package with Philips Sonicare and 3 more items will be delivered tomorrow by 7 PM via UPS Ground.',
    );
    assert.match(t.reply.text, /Want the tracking link, a return or a travel charger for it\?$/);
    assert.deepEqual(
      t.reply.actions.map((a) => a.label),
      ['Tracking link', 'Start a return', 'Travel charger'],
    );
    assert.doesNotMatch(t.reply.text, /V-1001/, 'no bare order number unless asked');
    assert.deepEqual(t.used_facts, []);
  });

  test('the order number is said when the shopper names it', async () => {
    const t = await karenAt('volt', 'where is order V-1001?');
    assert.match(t.reply.text, /\(order V-1001\)/);
    assert.match(t.reply.text, /tomorrow by 7 PM via UPS Ground/);
  });

  test('tracking: the carrier, the link and the number', async () => {
    const t = await karenAt('volt', 'send me the tracking link');
    assert.equal(t.understood.intent, 'track_shipment');
    assert.match(t.reply.text, /UPS tracking/);
    assert.match(t.reply.text, /https:\/\/www\.ups\.com\/track\?tracknum=1Z999AA10123456784/);
    assert.match(t.reply.text, /1Z999AA10123456784\)/);
  });

  test('"what goes with it?" after the order answer: what fits the Philips Sonicare, named as such', async () => {
    await karenAt('volt', 'When will my order arrive?');
    const t = await karenAt('volt', 'what goes with it?');
    assert.equal(t.understood.intent, 'recommend');
    assert.match(t.reply.text, /^To go with your Philips Sonicare/);
    const picked = t.reply.actions.map((a) => a.label.toLowerCase()).join(' | ');
    assert.match(picked, /charger|mount|brush head/, picked);
  });

  test('several orders in flight: the most relevant first and an offer for the others (own Confidant, across brands)', async () => {
    const first = await karenAt('me', 'where is my order?');
    assert.match(
      first.reply.text,
      /^Your Volt package with Philips Sonicare and 3 more items will be delivered tomorrow by 7 PM via UPS Ground\./,
    );
    assert.match(first.reply.text, /news of your other order/);
    const others = first.reply.actions.find((a) => a.label === 'My other orders')!;
    const next = await karenAt('me', others.value);
    assert.match(
      next.reply.text,
      /^Your Corner Deli order with Colombian Ground Coffee and 1 more item is being prepared and hasn't shipped yet\./,
    );
    assert.match(next.reply.text, /change the delivery|cancel something/);
  });

  test('no orders: says so and offers what helps', async () => {
    const t = await w.say(w.bob.token, 'corner-deli', 'where is my package?');
    assert.match(t.reply.text, /^I don't see any orders from you at Corner Deli yet\./);
    assert.ok(t.reply.actions.length > 0);
  });

  test("another person's order is refused without a word about it", async () => {
    for (const text of [
      'where is order V-9001?',
      'track number 777000111222 please',
      'where is my blender?',
      'cancel order #V-9001',
    ]) {
      const t = await karenAt('volt', text);
      assert.doesNotMatch(t.reply.text, /Vitamix|blender|FedEx|349|Thursday/i, `${text}: ${t.reply.text}`);
    }
    const t = await karenAt('volt', 'where is order V-9001?');
    assert.match(t.reply.text, /can't find an order V-9001 among yours/);
    // And Bob's order is untouched.
    assert.equal((await row(`SELECT status FROM orders WHERE order_id = 'V-9001'`, [])).status, 'shipped');
  });

  test('payment questions are answered from the order', async () => {
    const twice = await karenAt('volt', 'why was I charged twice?');
    assert.equal(twice.understood.intent, 'payment_question');
    assert.match(twice.reply.text, /one charge of \$234\.96 to Visa ending 4242/);
    const methods = await karenAt('volt', 'do you take PayPal?');
    assert.match(methods.reply.text, /^Yes, Volt takes Visa, Mastercard, American Express, PayPal and Apple Pay\./);
    const how = await karenAt('volt', 'how do I pay?');
    assert.match(how.reply.text, /^Volt takes Visa/, "the shop's methods, not an order's payment status");
  });
});

describe('actions change the data after a confirmation turn, or are refused with a reason', () => {
  test('a shipped order cannot be cancelled: the reason, and a return offered instead', async () => {
    const t = await karenAt('volt', 'please cancel my order');
    assert.equal(t.understood.intent, 'cancel_order');
    assert.match(t.reply.text, /already shipped with UPS Ground, so I can't cancel it/);
    assert.ok(t.reply.actions.some((a) => a.label === 'Start a return'));
    assert.equal((await row(`SELECT status FROM orders WHERE order_id = 'V-1001'`, [])).status, 'shipped');
  });

  test('cancelling an item not shipped yet: asked first, "no" keeps it, "yes" cancels it and refunds', async () => {
    const ask = await karenAt('corner-deli', 'cancel the sourdough');
    assert.match(
      ask.reply.text,
      /^Sourdough Loaf hasn't shipped yet, so I can cancel just that and keep Colombian Ground Coffee\. Shall I cancel it and refund \$6\.50 to Mastercard ending 1881\?$/,
    );
    assert.deepEqual(
      ask.reply.actions.map((a) => a.value),
      ['yes', 'no'],
    );
    const no = await karenAt('corner-deli', 'no');
    assert.match(no.reply.text, /left Sourdough Loaf as it is/);
    assert.equal(
      (await row(`SELECT status FROM order_items WHERE order_id = 'D-2001' AND line_no = 1`, [])).status,
      'ok',
    );
    // A lone "yes" with nothing waiting changes nothing.
    await karenAt('corner-deli', 'yes');
    assert.equal(
      (await row(`SELECT status FROM order_items WHERE order_id = 'D-2001' AND line_no = 1`, [])).status,
      'ok',
    );

    await karenAt('corner-deli', 'cancel the sourdough');
    const yes = await karenAt('corner-deli', 'yes please');
    assert.match(
      yes.reply.text,
      /^Done: I've cancelled Sourdough Loaf, and \$6\.50 goes back to Mastercard ending 1881\./,
    );
    assert.equal(
      (await row(`SELECT status FROM order_items WHERE order_id = 'D-2001' AND line_no = 1`, [])).status,
      'cancelled',
    );
    const order = await row(`SELECT status, payment_status FROM orders WHERE order_id = 'D-2001'`, []);
    assert.deepEqual(
      order,
      { status: 'placed', payment_status: 'refund_pending' },
      'the rest of the order still comes',
    );
    const refund = await karenAt('corner-deli', "I haven't got my money back yet");
    assert.equal(refund.understood.intent, 'refund_status');
    assert.match(
      refund.reply.text,
      /\$6\.50 refund for the cancelled Sourdough Loaf is on its way to Mastercard ending 1881/,
    );
  });

  test('a question left unanswered lapses: something else, or a "yes" after it expired, does not confirm it', async () => {
    await karenAt('corner-deli', 'cancel the coffee');
    await karenAt('corner-deli', 'hello');
    await karenAt('corner-deli', 'yes');
    assert.equal(
      (await row(`SELECT status FROM order_items WHERE order_id = 'D-2001' AND line_no = 2`, [])).status,
      'ok',
    );
    await karenAt('corner-deli', 'cancel the coffee');
    w.setNow(new Date(NOW.getTime() + 31 * 60000));
    try {
      await karenAt('corner-deli', 'yes');
    } finally {
      w.setNow(NOW);
    }
    assert.equal(
      (await row(`SELECT status FROM order_items WHERE order_id = 'D-2001' AND line_no = 2`, [])).status,
      'ok',
    );
  });

  test('changing the delivery of an order not shipped: asked, then done; a shipped one is refused with the carrier', async () => {
    const ask = await karenAt('corner-deli', 'can it come on Saturday instead');
    assert.equal(ask.understood.intent, 'change_delivery');
    assert.match(ask.reply.text, /^Shall I switch your order with Colombian Ground Coffee to delivery on Saturday\?$/);
    await karenAt('corner-deli', 'yes');
    assert.equal(
      (await row(`SELECT delivery_option FROM orders WHERE order_id = 'D-2001'`, [])).delivery_option,
      'scheduled:2026-11-28',
    );
    await karenAt('corner-deli', 'switch to express delivery');
    const done = await karenAt('corner-deli', 'ok');
    assert.match(done.reply.text, /now set for express delivery/);
    assert.equal(
      (await row(`SELECT delivery_option FROM orders WHERE order_id = 'D-2001'`, [])).delivery_option,
      'express',
    );
    const shipped = await karenAt('volt', 'can you deliver it faster?');
    assert.match(shipped.reply.text, /already with UPS Ground, so I can't change its delivery/);
  });

  test('a return: which item, then asked, then a row in returns that the refund answer reads', async () => {
    const which = await karenAt('volt', 'I want to return something');
    assert.equal(which.understood.intent, 'return_item');
    assert.match(
      which.reply.text,
      /^Which item from your order with Philips Sonicare and 3 more items would you like to return\?$/,
    );
    assert.deepEqual(
      which.reply.actions.map((a) => a.label),
      ['Philips Sonicare', 'Anker cable', 'Anker Nano', 'Amazon Echo'],
    );
    const ask = await karenAt('volt', which.reply.actions[0].value);
    assert.match(ask.reply.text, /Shall I start a return for a \$129\.99 refund\?$/);
    const yes = await karenAt('volt', 'yes');
    assert.match(
      yes.reply.text,
      /^Done: your return of Philips Sonicare is started, and \$129\.99 is refunded once Volt receives it\./,
    );
    const ret = await row(
      `SELECT order_id, line_nos, status, refund_amount, refund_status FROM returns WHERE person_id = $1`,
      [w.karen.id],
    );
    assert.deepEqual(ret, {
      order_id: 'V-1001',
      line_nos: [1],
      status: 'requested',
      refund_amount: 129.99,
      refund_status: 'pending',
    });
    const refund = await karenAt('volt', 'where is my refund?');
    assert.match(
      refund.reply.text,
      /^Your \$129\.99 refund for Philips Sonicare is pending, and it's issued once Volt receives the return\./,
    );
    const again = await karenAt('volt', 'return the Sonicare toothbrush');
    assert.match(again.reply.text, /already started/);
    assert.equal((await w.sys.ctx.db.query('SELECT 1 FROM returns WHERE person_id = $1', [w.karen.id])).rowCount, 1);
  });
});

describe('a person when asked', () => {
  test('a handoff the brand lists and answers; the shopper is told when a person will see it', async () => {
    const t = await karenAt('volt', 'I want to talk to a human');
    assert.equal(t.understood.intent, 'talk_to_human');
    assert.equal(
      t.reply.text,
      "I've asked a person from Volt to help, and they'll see it today before 5 PM. Their answer will appear right here.",
    );
    const twice = await karenAt('volt', 'agent please');
    assert.match(twice.reply.text, /already has your request/);

    const list = (key: string, q = '') =>
      w.sys.app.inject({ method: 'GET', url: `/v1/handoffs${q}`, headers: { authorization: bearer(key) } });
    const volt = (await list(w.volt.secretKey)).json().handoffs;
    assert.equal(volt.length, 1, 'asking twice queues once');
    assert.equal(volt[0].request, 'I want to talk to a human');
    assert.match(volt[0].person, /^p_/);
    assert.equal(volt[0].customer_id, 'volt-karen');
    assert.ok(
      volt[0].transcript.some((m: { text: string }) => /Philips Sonicare/.test(m.text)),
      'the operator sees the conversation',
    );
    assert.deepEqual((await list(w.deli.secretKey)).json().handoffs, [], "another brand sees none of Volt's");
    assert.equal((await list('sk_nope')).statusCode, 401);

    const reply = (key: string, id: string) =>
      w.sys.app.inject({
        method: 'POST',
        url: `/v1/handoffs/${id}/reply`,
        headers: { authorization: bearer(key) },
        payload: { text: 'Hi Karen, Sam from Volt here. Your toothbrush is on the truck.' },
      });
    assert.equal(
      (await reply(w.deli.secretKey, volt[0].id)).statusCode,
      404,
      "another brand cannot answer Volt's handoff",
    );
    const answered = await reply(w.volt.secretKey, volt[0].id);
    assert.equal(answered.statusCode, 200);
    assert.equal(answered.json().status, 'answered');
    assert.deepEqual((await list(w.volt.secretKey)).json().handoffs, []);
    assert.equal((await list(w.volt.secretKey, '?status=answered')).json().handoffs.length, 1);

    const convo = await w.sys.app.inject({
      method: 'GET',
      url: '/v1/conversations/volt/messages?limit=3',
      headers: { authorization: bearer(w.karen.token) },
    });
    const last = convo.json().messages.at(-1);
    assert.equal(last.role, 'operator');
    assert.match(last.text, /Sam from Volt/);
  });

  test('outside support hours the shopper is told when a person will be in', async () => {
    w.setNow(new Date('2026-11-28T15:00:00Z')); // Saturday
    try {
      const t = await w.say(w.bob.token, 'volt', 'let me speak to someone real');
      assert.match(t.reply.text, /will see it|they'll see it on Monday after 6 AM/);
      assert.match(t.reply.text, /on Monday after 6 AM/, 'support opens 9 AM New York, 6 AM for Bob in Los Angeles');
    } finally {
      w.setNow(NOW);
    }
  });
});

describe('the conversation is stored, one page at a time', () => {
  test('GET lists the shopper and assistant messages, oldest first, with a cursor', async () => {
    const get = (q: string) =>
      w.sys.app.inject({
        method: 'GET',
        url: `/v1/conversations/volt/messages${q}`,
        headers: { authorization: bearer(w.karen.token) },
      });
    const page = (await get('?limit=4')).json();
    assert.equal(page.messages.length, 4);
    assert.ok(page.next_before);
    assert.ok(page.messages[0].id < page.messages[3].id);
    const older = (await get(`?limit=4&before=${page.next_before}`)).json();
    assert.ok(older.messages.every((m: { id: number }) => m.id < page.messages[0].id));
    const all = (await get('?limit=200')).json();
    assert.equal(all.messages[0].role, 'shopper');
    assert.equal(all.messages[0].text, 'When will my order arrive?');
    assert.equal(all.messages[0].understood.intent, 'order_status');
    assert.equal(all.messages[1].role, 'assistant');
    assert.ok(all.messages[1].actions.length > 0);
    // Another shopper sees only their own conversation.
    const bob = await w.sys.app.inject({
      method: 'GET',
      url: '/v1/conversations/volt/messages',
      headers: { authorization: bearer(w.bob.token) },
    });
    assert.ok(bob.json().messages.every((m: { text: string }) => !/Sonicare/.test(m.text)));
    assert.equal((await get('?limit=0')).statusCode, 400);
    assert.equal(
      (
        await w.sys.app.inject({
          method: 'GET',
          url: '/v1/conversations/nowhere/messages',
          headers: { authorization: bearer(w.karen.token) },
        })
      ).statusCode,
      404,
    );
  });
});
