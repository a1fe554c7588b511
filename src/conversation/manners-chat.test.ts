import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer } from '../testing/harness.js';
import { contactBlock } from '../messaging/index.js';
import { chatWorld, type ChatWorld } from './chat-fixtures.js';

let w: ChatWorld;
before(async () => {
  w = await chatWorld();
});
after(async () => {
  assert.ok(w.replies.length >= 12, `every reply checked (${w.replies.length})`);
  await w.sys.close();
});

const karen = (text: string, where = 'volt') => w.say(w.karen.token, where, text);
const block = (channel: 'email' | 'sms' | 'push' | 'chat', brandId = w.volt.id) =>
  contactBlock(w.sys.ctx.db, w.karen.id, brandId, channel);

describe('manners', () => {
  test('swearing pauses marketing and gets one calm reply; an apology resumes politely', async () => {
    const first = await karen('this is useless, you stupid f***ing bot');
    assert.equal(first.understood.intent, 'abuse');
    assert.match(first.reply.text, /^I'm sorry this has been frustrating\. I've paused our marketing messages/);
    assert.equal(await block('email'), 'paused_for_abuse');
    assert.equal(await block('push', w.deli.id), null, "Volt's pause is Volt's: Corner Deli was not sworn at");
    assert.equal(
      await contactBlock(w.sys.ctx.db, w.karen.id, w.volt.id, 'email', 'service'),
      null,
      'order updates still go out',
    );
    const second = await karen('f*** you');
    assert.equal(second.reply.text, "I'm still here whenever you'd like help.", 'calm once, not the same speech again');
    const sorry = await karen('sorry about earlier, I was upset');
    assert.equal(sorry.understood.intent, 'apology');
    assert.match(sorry.reply.text, /^No harm done, and thank you for saying so\. I've turned your messages back on/);
    assert.equal(await block('email'), null);
  });

  test('stop and resume per channel are recorded and confirmed', async () => {
    const stop = await karen('no more emails please');
    assert.equal(stop.understood.intent, 'stop_messages');
    assert.match(stop.reply.text, /^Done: no more emails from Volt\./);
    assert.equal(await block('email'), 'opted_out');
    assert.equal(await block('sms'), null);
    assert.equal(await block('email', w.deli.id), null, "Volt's stop is Volt's");
    const all = await karen('STOP');
    assert.match(all.reply.text, /^Done: no more messages from Volt\./);
    assert.equal(await block('push'), 'opted_out');
    const resume = await karen('you can text me again');
    assert.equal(resume.understood.intent, 'resume_messages');
    assert.match(resume.reply.text, /^Done: Volt may send you texts again\./);
    assert.equal(await block('sms'), null);
    assert.equal(await block('email'), 'opted_out', 'the other channels stay stopped');
    assert.equal(await block('push'), 'opted_out');
    await karen(resume.reply.actions[0]?.value ?? 'you can message me again');
    await karen('you can message me again');
    assert.equal(await block('email'), null);
    // Said in the shopper's own Confidant, a stop covers every brand.
    const everywhere = await karen('stop sending me push notifications', 'me');
    assert.match(everywhere.reply.text, /from any brand through Confidant/);
    assert.equal(await block('push', w.deli.id), 'opted_out');
    const rows = await w.sys.ctx.db.query(
      'SELECT brand_id, channel, opted_out_at IS NOT NULL AS stopped FROM contact_preferences WHERE person_id = $1 AND opted_out_at IS NOT NULL',
      [w.karen.id],
    );
    assert.deepEqual(rows.rows, [{ brand_id: 0, channel: 'push', stopped: true }]);
  });

  test('greetings, thanks and messages that fit nothing are answered honestly', async () => {
    const hi = await karen('hello there');
    assert.match(hi.reply.text, /^Hi Karen!/);
    const thanks = await karen('thanks!');
    assert.match(thanks.reply.text, /^You're welcome!/);
    const lost = await karen('asdfgh qwerty');
    assert.equal(lost.understood.intent, 'other');
    assert.match(lost.reply.text, /^Sorry, I didn't get that\./);
    assert.ok(lost.reply.actions.length >= 3);
  });

  test('a pressed button means what it offered', async () => {
    const status = await karen('where is my order?');
    const travel = status.reply.actions.find((a) => a.label === 'Travel charger')!;
    const t = await karen(travel.value);
    assert.match(t.reply.text, /^Philips Sonicare Travel Charger is \$29\.99 and in stock\./);
  });
});

describe('every intent of the contract is answered end to end', () => {
  test('one message per intent, from Bob at Volt (a Vitamix blender on its way with FedEx)', async () => {
    const cases: Array<[string, string, RegExp]> = [
      [
        'order_status',
        'is my package on its way',
        /^Your package with the Vitamix blender will be delivered on Thursday by 7 AM via FedEx Home Delivery\./,
      ],
      ['track_shipment', 'can I get the tracking number', /FedEx tracking .*number 777000111222/],
      [
        'return_item',
        'I want to send the blender back',
        /^The Vitamix blender can go back once it arrives\. Shall I start a return for a \$349\.95 refund\?$/,
      ],
      ['cancel_order', 'cancel the blender please', /already shipped with FedEx Home Delivery, so I can't cancel it/],
      ['refund_status', 'where is my refund?', /don't see a return or cancellation waiting for a refund at Volt/],
      ['change_delivery', 'can I pick it up in store instead', /already with FedEx Home Delivery/],
      ['payment_question', 'what payment methods do you accept?', /^Volt takes Visa, Mastercard/],
      ['talk_to_human', 'let me speak to someone real', /a person from Volt/],
      ['state_fact', 'I wear a medium', /^Got it: your shirt size is medium\./],
      ['forget_fact', 'forget my birthday', /nothing to forget/],
      ['what_do_you_know', 'what do you know about me?', /shirt size medium \(you told me\)/],
      ['find_product', 'I need a blender under $400', /Vitamix/],
      ['recommend', 'what should I get my dad?', /What does your dad enjoy, so I can pick something that fits\?$/],
      ['too_creepy', 'how do you know that?? creepy', /^Sorry/],
      ['abuse', 'you are a useless piece of s**t', /^I'm sorry this has been frustrating/],
      ['apology', 'sorry, I was rude', /^No harm done/],
      ['stop_messages', 'unsubscribe me from texts', /^Done: no more texts from Volt\./],
      ['resume_messages', 'you can email me again', /^Done: Volt may send you emails again\./],
      ['greeting', 'good morning', /^Hi Bob!/],
      ['other', 'the weather is nice on mars', /^Sorry, I didn't get that\./],
    ];
    const seen = new Set<string>();
    for (const [intent, text, reply] of cases) {
      const t = await w.say(w.bob.token, 'volt', text);
      assert.equal(t.understood.intent, intent, text);
      assert.match(t.reply.text, reply, `${intent}: ${t.reply.text}`);
      seen.add(t.understood.intent);
    }
    assert.equal(seen.size, 20);
  });
});

describe('malformed input gets a clear error and writes nothing', () => {
  const post = (
    payload: string | Buffer | object,
    headers: Record<string, string> = {},
    url = '/v1/conversations/volt/messages',
  ) =>
    w.sys.app.inject({
      method: 'POST',
      url,
      headers: { authorization: bearer(w.karen.token), 'content-type': 'application/json', ...headers },
      payload: payload as string,
    });
  const count = async () =>
    Number(
      (await w.sys.ctx.db.query('SELECT count(*) FROM conversation_messages WHERE person_id = $1', [w.karen.id]))
        .rows[0].count,
    );

  test('empty, blank, too long, missing or wrong-typed text', async () => {
    const before = await count();
    for (const [body, path, message] of [
      [{ text: '' }, '/body/text', /fewer than 1|at least 1|must NOT have fewer/],
      [{ text: '   \n\t ' }, '/body/text', /text is empty/],
      [{ text: 'x'.repeat(10 * 1024) }, '/body/text', /more than 2000/],
      [{}, '/body/text', /text is required/],
      [{ text: 'hi', extra: 1 }, '/body', /additional/],
      [{ text: { words: 'hi' } }, '/body/text', /string/],
    ] as const) {
      const r = await post(body);
      assert.equal(r.statusCode, 400, JSON.stringify(body).slice(0, 40));
      assert.equal(r.json().error.path, path, JSON.stringify(body).slice(0, 40));
      assert.match(r.json().error.message, message);
    }
    assert.equal(await count(), before);
  });

  test('invalid JSON, an empty body, and bytes that are not UTF-8', async () => {
    const bad = await post('{"text": "hi"');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'bad_request');
    assert.match(bad.json().error.message, /not valid JSON/);
    assert.equal(bad.json().error.path, '/body');
    const empty = await post('');
    assert.equal(empty.statusCode, 400);
    const latin1 = await post(Buffer.concat([Buffer.from('{"text": "caf'), Buffer.from([0xe9]), Buffer.from('"}')]));
    assert.equal(latin1.statusCode, 400);
    assert.match(latin1.json().error.message, /not valid UTF-8/);
    const charset = await post(JSON.stringify({ text: 'hi' }), {
      'content-type': 'application/json; charset=iso-8859-1',
    });
    assert.equal(charset.statusCode, 400);
    assert.match(charset.json().error.message, /UTF-8/);
    const ok = await post(Buffer.from(JSON.stringify({ text: 'café? where is my order' }), 'utf8'));
    assert.equal(ok.statusCode, 200);
    const nul = await post(JSON.stringify({ text: 'where\u0000 is my order' }));
    assert.equal(nul.statusCode, 200, 'control characters are dropped, not stored');
  });

  test('no token, a wrong token, an unknown brand', async () => {
    const none = await w.sys.app.inject({
      method: 'POST',
      url: '/v1/conversations/volt/messages',
      payload: { text: 'hi' },
    });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().error.code, 'unauthorized');
    const wrong = await post({ text: 'hi' }, { authorization: 'Bearer tok_not_a_real_token' });
    assert.equal(wrong.statusCode, 401);
    const brandKey = await post({ text: 'hi' }, { authorization: bearer(w.volt.secretKey) });
    assert.equal(brandKey.statusCode, 401, "a brand's key is not a shopper");
    const nowhere = await post({ text: 'hi' }, {}, '/v1/conversations/no-such-shop/messages');
    assert.equal(nowhere.statusCode, 404);
    assert.match(nowhere.json().error.message, /brand "no-such-shop" not found/);
    const handoffs = await w.sys.app.inject({
      method: 'GET',
      url: '/v1/handoffs',
      headers: { authorization: bearer(w.karen.token) },
    });
    assert.equal(handoffs.statusCode, 401, "a shopper cannot list a brand's handoffs");
  });

  test('the routes are in the OpenAPI document', async () => {
    const doc = (await w.sys.app.inject({ url: '/openapi.json' })).json();
    for (const p of [
      '/v1/conversations/{brand}/messages',
      '/v1/conversations/me/messages',
      '/v1/handoffs',
      '/v1/handoffs/{id}/reply',
    ])
      assert.ok(doc.paths[p], p);
  });
});
