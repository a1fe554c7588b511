/**
 * Manners in chat, as a state table: what the person says, then what holds for that brand (the abuse pause, the
 * channels stopped) and what a marketing send on each channel does. Swearing pauses marketing from that brand only;
 * an apology lifts only the abuse pause and restores exactly what was on before (a channel stopped before stays
 * stopped); "stop" opts out. While marketing is paused for abuse, chat replies carry no upsell.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { grant } from '../gatekeeper/view.js';
import { chatWorld, type ChatWorld, NOW } from '../conversation/chat-fixtures.js';
import { contactState, sendMessage } from './index.js';

let w: ChatWorld;
before(async () => {
  w = await chatWorld();
  for (const brand of [w.volt, w.deli])
    await grant(w.sys.ctx.db, {
      personId: w.karen.id,
      brandId: brand.id,
      scopes: ['identity.contact'],
      purposes: ['marketing'],
      how: 'page',
      explicit: true,
      at: NOW,
    });
});
after(async () => {
  await w.sys.close();
});

type Outcome = 'send' | 'opt_out' | 'abuse';
interface Row {
  says: string;
  at?: 'volt' | 'corner-deli';
  paused: boolean;
  stopped: string[];
  /** a marketing message from Volt by e-mail and by chat */
  email: Outcome;
  chat: Outcome;
}

// Each row starts from the state the row before left.
const TABLE: Row[] = [
  { says: 'where is my order?', paused: false, stopped: [], email: 'send', chat: 'send' },
  { says: 'you useless f***ing bot', paused: true, stopped: [], email: 'abuse', chat: 'abuse' },
  { says: 'sorry, I was rude', paused: false, stopped: [], email: 'send', chat: 'send' },
  { says: 'no more emails please', paused: false, stopped: ['email'], email: 'opt_out', chat: 'send' },
  { says: 'this is s**t, you stupid bot', paused: true, stopped: ['email'], email: 'opt_out', chat: 'abuse' },
  // The apology lifts the pause only: the e-mail stop said before the swearing stays.
  { says: 'sorry about that, I was upset', paused: false, stopped: ['email'], email: 'opt_out', chat: 'send' },
  { says: 'sorry again', paused: false, stopped: ['email'], email: 'opt_out', chat: 'send' },
  { says: 'f*** you', paused: true, stopped: ['email'], email: 'opt_out', chat: 'abuse' },
  { says: 'STOP', paused: true, stopped: ['chat', 'email', 'push', 'webhook'], email: 'opt_out', chat: 'opt_out' },
  {
    says: 'I apologise',
    paused: false,
    stopped: ['chat', 'email', 'push', 'webhook'],
    email: 'opt_out',
    chat: 'opt_out',
  },
  { says: 'you can message me again', paused: false, stopped: [], email: 'send', chat: 'send' },
  // Swearing at Corner Deli pauses Corner Deli, not Volt.
  {
    says: 'you are a useless piece of s**t',
    at: 'corner-deli',
    paused: false,
    stopped: [],
    email: 'send',
    chat: 'send',
  },
];

const outcome = (a: { state: string; suppressed?: { rule: string; reason: string } }): Outcome =>
  a.state !== 'suppressed' ? 'send' : /paused/.test(a.suppressed?.reason ?? '') ? 'abuse' : 'opt_out';

test('the abuse / apology / stop state table', async () => {
  let n = 0;
  for (const row of TABLE) {
    const turn = await w.say(w.karen.token, row.at ?? 'volt', row.says);
    const s = await contactState(w.sys.ctx.db, w.karen.id, w.volt.id);
    const where = `row ${++n} "${row.says}" (${turn.understood.intent}: ${turn.reply.text})`;
    assert.equal(s.abusePaused, row.paused, `${where}: paused`);
    assert.deepEqual([...s.optedOut].sort(), row.stopped, `${where}: stopped`);
    for (const channel of ['email', 'chat'] as const) {
      const a = await sendMessage(
        w.sys.ctx.db,
        { brandId: w.volt.id, personId: w.karen.id, purpose: 'marketing', channel, text: `Offer ${n}` },
        NOW,
      );
      assert.equal(outcome(a), row[channel], `${where}: marketing by ${channel} -> ${JSON.stringify(a.suppressed)}`);
      // Service and order updates still go while marketing is paused.
      if (row[channel] === 'abuse') {
        const t = await sendMessage(
          w.sys.ctx.db,
          { brandId: w.volt.id, personId: w.karen.id, purpose: 'transactional', channel, text: `Shipped ${n}` },
          NOW,
        );
        assert.equal(t.state, 'queued', `${where}: transactional by ${channel}`);
      }
    }
    // Each row's sends are tried at one instant; they are cleared so the day's caps do not decide the next row.
    await w.sys.ctx.db.query('DELETE FROM messages WHERE person_id = $1', [w.karen.id]);
  }
  const deli = await contactState(w.sys.ctx.db, w.karen.id, w.deli.id);
  assert.equal(deli.abusePaused, true, 'Corner Deli is paused');
});

test('while marketing is paused for abuse, chat replies carry no upsell; after the apology they may again', async () => {
  const upsell = (t: { reply: { text: string; actions: Array<{ label: string; value: string }> } }) =>
    t.reply.actions.some((a) => /^show me the /i.test(a.value)) || /to go with it|for it\?/i.test(t.reply.text);
  const before = await w.say(w.karen.token, 'volt', 'where is my order?');
  assert.ok(upsell(before), `an accessory is offered when all is well: ${before.reply.text}`);
  await w.say(w.karen.token, 'volt', 'you are useless, stupid bot');
  for (const q of ['where is my order?', 'send me the tracking link']) {
    const t = await w.say(w.karen.token, 'volt', q);
    assert.ok(!upsell(t), `no upsell while paused: ${t.reply.text} ${JSON.stringify(t.reply.actions)}`);
  }
  await w.say(w.karen.token, 'volt', 'sorry, I was rude');
  const afterwards = await w.say(w.karen.token, 'volt', 'where is my order?');
  assert.ok(upsell(afterwards), `the accessory is back: ${afterwards.reply.text}`);
});
