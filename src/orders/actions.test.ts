/**
 * Orders own their actions: the chat offers an action only on an order that holds the item named, says so when none
 * does, names exactly what will change, changes nothing without a yes, and the orders room does the change
 * (partial cancel, return) that then shows in GET /v1/orders/{id}.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer } from '../testing/harness.js';
import { chatWorld, NOW, type ChatWorld } from '../conversation/chat-fixtures.js';
import { canCancel, canReturn, type Order, RETURN_DAYS } from './index.js';

let w: ChatWorld;
before(async () => {
  w = await chatWorld();
});
after(async () => {
  await w.sys.close();
});

const karen = (where: string, text: string) => w.say(w.karen.token, where, text);
const order = async (brand: ChatWorld['volt'], id: string) => {
  const r = await w.sys.app.inject({
    method: 'GET',
    url: `/v1/orders/${id}`,
    headers: { authorization: bearer(brand.secretKey) },
  });
  assert.equal(r.statusCode, 200, r.body);
  return r.json() as {
    status: string;
    paymentStatus: string;
    items: Array<{ lineNo: number; name: string; status: string }>;
    returns: Array<{ returnId: string; lineNos: number[]; status: string; refundAmount: number }>;
  };
};

describe('order actions from the chat', () => {
  test('an item no order holds: the reply says so, offers the orders it sees, and "yes" changes nothing', async () => {
    const before = await order(w.deli, 'D-2001');
    const r = await karen('corner-deli', 'can I return the toothbrush?');
    assert.match(r.reply.text, /^I can't find a toothbrush in your Corner Deli orders\./);
    assert.match(r.reply.text, /Colombian Ground Coffee/, 'the orders it does see are offered');
    assert.doesNotMatch(r.reply.text, /cancel|refund/i);
    const yes = await karen('corner-deli', 'yes');
    assert.doesNotMatch(yes.reply.text, /Done/);
    assert.deepEqual(await order(w.deli, 'D-2001'), before, 'nothing changed');
  });

  test('"I don\'t want the sourdough anymore, just the coffee" cancels the sourdough only, after a yes naming it', async () => {
    const r = await karen('corner-deli', 'i dont want the sourdough anymore just the coffee');
    assert.match(r.reply.text, /Sourdough Loaf/);
    assert.match(r.reply.text, /keep Colombian Ground Coffee/);
    assert.match(r.reply.text, /\$6\.50/, 'the refund of the sourdough alone');
    assert.deepEqual(
      (await order(w.deli, 'D-2001')).items.map((i) => i.status),
      ['ok', 'ok'],
      'nothing changes before the yes',
    );
    const done = await karen('corner-deli', 'yes');
    assert.match(
      done.reply.text,
      /^Done: I've cancelled Sourdough Loaf, and \$6\.50 goes back to Mastercard ending 1881/,
    );
    const after = await order(w.deli, 'D-2001');
    assert.deepEqual(
      after.items.map((i) => [i.lineNo, i.status]),
      [
        [1, 'cancelled'],
        [2, 'ok'],
      ],
    );
    assert.equal(after.status, 'placed', 'the coffee is still coming');
    assert.equal(after.paymentStatus, 'refund_pending');
  });

  test('a return of one item is started by the orders room and shows in GET /v1/orders/{id}', async () => {
    w.setNow(new Date(NOW.getTime() + 2 * 86400000));
    const r = await karen('volt', 'I want to return the echo dot');
    assert.match(r.reply.text, /^Amazon Echo can go back/);
    assert.match(r.reply.text, /\$49\.99/);
    const done = await karen('volt', 'yes');
    assert.match(done.reply.text, /^Done: your return of Amazon Echo is started/);
    const o = await order(w.volt, 'V-1001');
    assert.equal(o.returns.length, 1);
    assert.deepEqual(o.returns[0].lineNos, [4]);
    assert.equal(o.returns[0].refundAmount, 49.99);
    assert.equal(o.returns[0].status, 'requested');
    const how = await karen('volt', 'how do i send it back?');
    assert.match(how.reply.text, /^Your return of Amazon Echo is started: send it back to Volt/);
    assert.equal((await order(w.volt, 'V-1001')).returns.length, 1, 'asking how does not start another');
    w.setNow(NOW);
  });
});

describe('the rules of the actions', () => {
  const at = (days: number) => new Date(NOW.getTime() + days * 86400000);
  const o = (status: string, shipments: Order['shipments'] = [], items = [1, 2]): Order => ({
    orderId: 'X',
    brandId: 1,
    status,
    placedAt: at(-40),
    total: 20,
    currency: 'USD',
    paymentMethod: null,
    paymentStatus: 'paid',
    deliveryOption: 'standard',
    items: items.map((n) => ({
      lineNo: n,
      productId: `P${n}`,
      name: `P${n}`,
      quantity: 1,
      unitPrice: 10,
      status: 'ok',
    })),
    shipments,
    returns: [],
  });
  const shipment = (status: string, deliveredAt: Date | null): Order['shipments'][number] => ({
    shipmentId: 'S',
    carrier: 'UPS',
    service: null,
    trackingNumber: null,
    trackingUrl: null,
    status,
    shippedAt: at(-38),
    windowStart: null,
    windowEnd: null,
    deliveredAt,
  });

  test('only what has not shipped can be cancelled, one item or all', () => {
    assert.deepEqual(canCancel(o('placed'), [2]), { lineNos: [2], refund: 10 });
    assert.deepEqual(canCancel(o('placed')), { lineNos: [1, 2], refund: 20 });
    assert.deepEqual(canCancel(o('shipped', [shipment('in_transit', null)]), [1]), { reason: 'shipped' });
    assert.deepEqual(canCancel(o('placed'), [7]), { reason: 'no_such_items' });
    assert.deepEqual(canCancel(o('cancelled')), { reason: 'already_cancelled' });
  });

  test(`a return within ${RETURN_DAYS} days of delivery, not twice`, () => {
    const recent = o('delivered', [shipment('delivered', at(-RETURN_DAYS + 1))]);
    assert.deepEqual(canReturn(recent, new Set(), NOW, [1]), {
      lineNos: [1],
      refund: 10,
      deliveredAt: at(-RETURN_DAYS + 1),
    });
    assert.deepEqual(canReturn(recent, new Set([1]), NOW, [1]), { reason: 'already_returning', lineNos: [1] });
    const old = o('delivered', [shipment('delivered', at(-RETURN_DAYS - 1))]);
    assert.deepEqual(canReturn(old, new Set(), NOW, [1]), { reason: 'past_window', deliveredAt: at(-RETURN_DAYS - 1) });
    assert.equal((canReturn(o('placed'), new Set(), NOW, [1]) as { reason: string }).reason, 'not_shipped');
  });
});
