/**
 * Things the shopper asks the chat to do to an order: cancel, return, change the delivery. Each is
 * asked back first ("Shall I cancel ...?") and done only on "yes"; what isn't allowed is refused with
 * the reason and the next best thing. The writes go to the orders room's tables (its own module has
 * no cancel/return functions yet).
 */
import crypto from 'node:crypto';
import type { Order } from '../../orders/orders.js';
import { grant } from '../../gatekeeper/view.js';
import type { Pending } from '../store.js';
import type { Answer, Turn } from '../turn.js';
import { pendingUntil } from '../turn.js';
import { atLocalTime, localDate } from '../../time.js';
import { asItem, capitalize, carrierPhrase, currentShipment, dayPhrase, list, money } from '../wording.js';
import { ACT, whichOrder } from './orders.js';
import { isInFlight, itemName, liveItems, loadShop, namedLines, orderItems, type Shop } from './shop.js';

/** Days after delivery a return may be started. */
export const RETURN_DAYS = 30;

const YES_NO = (yes: string, no: string) => [
  { label: yes, value: 'yes' },
  { label: no, value: 'no' },
];

const refundOf = (o: Order, lineNos: number[]) =>
  o.items.filter((i) => lineNos.includes(i.lineNo)).reduce((s, i) => s + i.quantity * i.unitPrice, 0);

/** "Philips Sonicare", "Sourdough Loaf and Colombian Ground Coffee", or the whole order's phrase. */
function whatOf(shop: Shop, o: Order, lineNos: number[]): string {
  const live = liveItems(o);
  if (lineNos.length === live.length && live.length > 2) return `your order with ${orderItems(shop, o)}`;
  return list(o.items.filter((i) => lineNos.includes(i.lineNo)).map((i) => asItem(itemName(shop, o, i))));
}

const wholeOrder = (text: string) => /\b(all|everything|whole|entire|full)\b/i.test(text);

const notShipped = (o: Order) => o.status === 'placed' && o.shipments.every((s) => s.status === 'label_created');

// ---------------------------------------------------------------------------------------------
// Cancel

export async function cancelOrder(turn: Turn): Promise<Answer> {
  const { shop, ranked, refused } = await whichOrder(turn);
  if (refused) return refused;
  const named = ranked.find((o) => namedLines(shop, o, turn.text, liveItems(o)).length);
  const o = named ?? ranked.find(isInFlight);
  if (!o)
    return {
      say: ['You have no orders that can still be cancelled'],
      ask: 'Want to start a return instead?',
      actions: [ACT.ret, ACT.human],
    };
  const lineNos =
    named && !wholeOrder(turn.text) ? namedLines(shop, o, turn.text, liveItems(o)) : liveItems(o).map((i) => i.lineNo);
  const what = whatOf(shop, o, lineNos);
  const orders = [{ brandId: o.brandId, orderId: o.orderId }];
  if (!isInFlight(o)) {
    return {
      say: [
        `${capitalize(what)} ${o.status === 'cancelled' ? 'is already cancelled' : 'was already delivered'}, so there's nothing to cancel`,
      ],
      ask: o.status === 'cancelled' ? 'Want to check your refund?' : 'Want to start a return instead?',
      actions: o.status === 'cancelled' ? [ACT.refund] : [ACT.ret],
      orders,
    };
  }
  if (!notShipped(o)) {
    const s = currentShipment(o);
    return {
      say: [`${capitalize(what)} already shipped${s ? ` with ${carrierPhrase(s)}` : ''}, so I can't cancel it now`],
      ask: 'Want to start a return instead, or the tracking link?',
      actions: [
        { ...ACT.ret, value: `return the ${itemName(shop, o, o.items.find((i) => i.lineNo === lineNos[0])!)}` },
        ACT.tracking,
      ],
      orders,
    };
  }
  const pending: Pending = {
    kind: 'cancel',
    brandId: o.brandId,
    orderId: o.orderId,
    lineNos,
    what,
    expiresAt: pendingUntil(turn.now),
  };
  return {
    say: [`${capitalize(what)} hasn't shipped yet, so I can still cancel it`],
    ask: `Shall I cancel it and refund ${money(refundOf(o, lineNos), o.currency)} to ${o.paymentMethod ?? 'your card'}?`,
    actions: YES_NO('Yes, cancel it', 'No, keep it'),
    pending,
    orders,
  };
}

async function doCancel(turn: Turn, p: Extract<Pending, { kind: 'cancel' }>): Promise<Answer> {
  const shop = await loadShop(turn);
  const o = shop.orders.find((x) => x.brandId === p.brandId && x.orderId === p.orderId);
  // It may have shipped since the question was asked.
  if (!o || !notShipped(o))
    return {
      say: [`Sorry, ${p.what} has shipped since I asked, so I can't cancel it now`],
      ask: 'Want to start a return instead?',
      actions: [ACT.ret],
    };
  const lines = liveItems(o)
    .filter((i) => p.lineNos.includes(i.lineNo))
    .map((i) => i.lineNo);
  if (!lines.length)
    return {
      say: [`${capitalize(p.what)} is already cancelled`],
      ask: 'Want to check your refund?',
      actions: [ACT.refund],
    };
  await turn.tx.query(
    `UPDATE order_items SET status = 'cancelled' WHERE person_id = $1 AND brand_id = $2 AND order_id = $3 AND line_no = ANY($4)`,
    [turn.person.id, o.brandId, o.orderId, lines],
  );
  const everything = liveItems(o).length === lines.length;
  await turn.tx.query(
    `UPDATE orders SET status = CASE WHEN $4 THEN 'cancelled' ELSE status END,
       payment_status = CASE WHEN payment_status = 'paid' THEN 'refund_pending' ELSE payment_status END, updated_at = $5
     WHERE person_id = $1 AND brand_id = $2 AND order_id = $3`,
    [turn.person.id, o.brandId, o.orderId, everything, turn.now],
  );
  return {
    say: [
      `Done: I've cancelled ${p.what}, and ${money(refundOf(o, lines), o.currency)} goes back to ${o.paymentMethod ?? 'your card'}`,
    ],
    ask: everything ? undefined : 'Want to know when the rest arrives?',
    actions: everything ? [ACT.shop] : [ACT.others],
    pending: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Return

export async function returnItem(turn: Turn): Promise<Answer> {
  const { shop, ranked, refused } = await whichOrder(turn);
  if (refused) return refused;
  const open = await turn.tx.query('SELECT brand_id, order_id, line_nos FROM returns WHERE person_id = $1', [
    turn.person.id,
  ]);
  const returning = new Set(
    open.rows.flatMap((r) => (r.line_nos as number[]).map((l) => `${r.brand_id}:${r.order_id}:${l}`)),
  );
  const returnable = (o: Order) => liveItems(o).filter((i) => !returning.has(`${o.brandId}:${o.orderId}:${i.lineNo}`));
  const named = ranked.find((o) => namedLines(shop, o, turn.text).length);
  const candidates = ranked.filter((o) => o.status === 'shipped' || o.status === 'delivered');
  const o = named ?? candidates.find((x) => returnable(x).length) ?? ranked[0];
  if (!o)
    return {
      say: ["I don't see anything you've bought here that could go back"],
      ask: 'Want help with something else?',
      actions: [ACT.shop, ACT.human],
    };
  const orders = [{ brandId: o.brandId, orderId: o.orderId }];
  const namedNos = namedLines(shop, o, turn.text);
  if (namedNos.length && namedNos.every((n) => returning.has(`${o.brandId}:${o.orderId}:${n}`))) {
    return {
      say: [`A return for ${whatOf(shop, o, namedNos)} is already started`],
      ask: 'Want to check on the refund?',
      actions: [ACT.refund],
      orders,
    };
  }
  const items = returnable(o);
  if (notShipped(o) && o.status === 'placed') {
    const lineNos = namedNos.length ? namedNos : items.map((i) => i.lineNo);
    const what = whatOf(shop, o, lineNos);
    const pending: Pending = {
      kind: 'cancel',
      brandId: o.brandId,
      orderId: o.orderId,
      lineNos,
      what,
      expiresAt: pendingUntil(turn.now),
    };
    return {
      say: [`${capitalize(what)} hasn't shipped yet, so I can simply cancel it instead`],
      ask: `Shall I cancel it for a ${money(refundOf(o, lineNos), o.currency)} refund?`,
      actions: YES_NO('Yes, cancel it', 'No, keep it'),
      pending,
      orders,
    };
  }
  if (!['shipped', 'delivered'].includes(o.status) || items.length === 0) {
    return {
      say: [`There's nothing left to return from your order with ${orderItems(shop, o, o.items)}`],
      ask: 'Want to check on a refund?',
      actions: [ACT.refund, ACT.human],
      orders,
    };
  }
  const delivered = o.shipments
    .map((s) => s.deliveredAt)
    .filter((d): d is Date => !!d)
    .sort((a, b) => b.getTime() - a.getTime())[0];
  if (delivered && turn.now.getTime() - delivered.getTime() > RETURN_DAYS * 86400000) {
    return {
      say: [
        `Your order with ${orderItems(shop, o)} was delivered ${dayPhrase(delivered, turn.now, turn.person.timeZone)}, past the ${RETURN_DAYS}-day return window`,
      ],
      ask: 'Want a person to take a look anyway?',
      actions: [ACT.human],
      orders,
    };
  }
  let lineNos = namedNos.filter((n) => items.some((i) => i.lineNo === n));
  if (!lineNos.length && (items.length === 1 || wholeOrder(turn.text))) lineNos = items.map((i) => i.lineNo);
  if (!lineNos.length) {
    // Which one? One question, with the items as buttons.
    return {
      say: [],
      ask: `Which item from your order with ${orderItems(shop, o)} would you like to return?`,
      actions: items.slice(0, 4).map((i) => ({
        label: itemName(shop, o, i),
        value: `return the ${itemName(shop, o, i)}`,
        intent: 'return_item' as const,
      })),
      orders,
    };
  }
  const what = whatOf(shop, o, lineNos);
  const when = delivered ? `within ${RETURN_DAYS} days of delivery` : 'once it arrives';
  const pending: Pending = {
    kind: 'return',
    brandId: o.brandId,
    orderId: o.orderId,
    lineNos,
    what,
    expiresAt: pendingUntil(turn.now),
  };
  return {
    say: [`${capitalize(what)} can go back ${when}`],
    ask: `Shall I start a return for a ${money(refundOf(o, lineNos), o.currency)} refund?`,
    actions: YES_NO('Yes, start it', 'No, keep it'),
    pending,
    orders,
  };
}

async function doReturn(turn: Turn, p: Extract<Pending, { kind: 'return' }>): Promise<Answer> {
  const shop = await loadShop(turn);
  const o = shop.orders.find((x) => x.brandId === p.brandId && x.orderId === p.orderId);
  if (!o) return { say: ["I can't find that order any more"], ask: 'Want a person to help?', actions: [ACT.human] };
  const taken = await turn.tx.query(
    'SELECT 1 FROM returns WHERE person_id = $1 AND brand_id = $2 AND order_id = $3 AND line_nos && $4',
    [turn.person.id, o.brandId, o.orderId, p.lineNos],
  );
  if (taken.rowCount)
    return {
      say: [`A return for ${p.what} is already started`],
      ask: 'Want to check on the refund?',
      actions: [ACT.refund],
    };
  const amount = refundOf(o, p.lineNos);
  await turn.tx.query(
    `INSERT INTO returns (person_id, brand_id, return_id, order_id, line_nos, reason, status, refund_amount, refund_status, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'requested', $7, 'pending', $8)`,
    [
      turn.person.id,
      o.brandId,
      `RET-${crypto.randomBytes(5).toString('hex').toUpperCase()}`,
      o.orderId,
      p.lineNos,
      'asked in chat',
      amount,
      turn.now,
    ],
  );
  const first = o.items.find((i) => i.lineNo === p.lineNos[0])!;
  return {
    say: [
      `Done: your return of ${p.what} is started, and ${money(amount, o.currency)} is refunded once ${turn.brandName(o.brandId)} receives it`,
    ],
    ask: 'Want me to find a replacement?',
    actions: [
      {
        label: 'Find a replacement',
        value: `show me something like the ${itemName(shop, o, first)}`,
        intent: 'find_product',
      },
      ACT.refund,
    ],
    pending: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Delivery options

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** The delivery the message asks for: an option (express, standard, pickup), a day, or an address change. */
export function requestedDelivery(
  text: string,
  now: Date,
  timeZone: string,
): { option: string; optionText: string } | { address: true } | null {
  const t = text.toLowerCase();
  if (
    /\b(address|office|work|neighbou?r|deliver (it )?to|send (it )?to|ship (it )?to|different place|apartment|house)\b/.test(
      t,
    ) &&
    !/\bpick ?up\b/.test(t)
  )
    return { address: true };
  if (/\b(express|faster|quicker|sooner|rush|overnight|next[- ]day|asap|speed)\b/.test(t))
    return { option: 'express', optionText: 'express delivery' };
  if (/\b(pick ?up|collect|in store|in-store|click and collect)\b/.test(t))
    return { option: 'pickup', optionText: 'store pickup' };
  if (/\b(standard|regular|normal|slower|cheaper)\b/.test(t))
    return { option: 'standard', optionText: 'standard delivery' };
  let days = -1;
  if (/\btomorrow\b/.test(t)) days = 1;
  const wd = WEEKDAYS.findIndex((d) => new RegExp(`\\b${d}s?\\b`).test(t));
  if (wd >= 0) {
    const today = localDate(now, timeZone).weekday;
    days = (wd - today + 7) % 7 || 7;
  }
  if (days > 0) {
    const at = atLocalTime(now, timeZone, days, 12);
    const d = localDate(at, timeZone);
    const iso = `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
    return { option: `scheduled:${iso}`, optionText: `delivery ${dayPhrase(at, now, timeZone)}` };
  }
  return null;
}

function optionWords(option: string, now: Date, timeZone: string): string {
  const m = /^scheduled:(\d{4})-(\d{2})-(\d{2})$/.exec(option);
  if (m) return `delivery ${dayPhrase(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], 12)), now, timeZone)}`;
  return option === 'pickup' ? 'store pickup' : `${option.replace(/_/g, ' ')} delivery`;
}

export async function changeDelivery(turn: Turn): Promise<Answer> {
  const { shop, ranked, refused } = await whichOrder(turn);
  if (refused) return refused;
  const o = ranked.find(isInFlight);
  if (!o)
    return {
      say: [`You have no orders on the way${turn.brand ? ` at ${turn.brand.name}` : ''} to change`],
      ask: 'Want help with something else?',
      actions: [ACT.shop, ACT.human],
    };
  const orders = [{ brandId: o.brandId, orderId: o.orderId }];
  const tz = turn.person.timeZone;
  const items = orderItems(shop, o);
  const want = requestedDelivery(turn.text, turn.now, tz);
  if (!notShipped(o)) {
    const s = currentShipment(o);
    return {
      say: [
        `Your package with ${items} is already with ${s ? carrierPhrase(s) : 'the carrier'}, so I can't change its delivery here`,
      ],
      ask: `Want the tracking link, where ${s?.carrier ?? 'the carrier'} may let you reschedule it?`,
      actions: [ACT.tracking, ACT.human],
      orders,
    };
  }
  if (want && 'address' in want) {
    return {
      say: ["I can't change a delivery address in chat yet"],
      ask: 'Shall I ask a person to do it for you?',
      actions: [ACT.human],
      orders,
    };
  }
  if (!want) {
    return {
      say: [`Your order with ${items} is set for ${optionWords(o.deliveryOption, turn.now, tz)}`],
      ask: 'Would you like express, store pickup, or a day that suits you?',
      actions: [
        { label: 'Express', value: 'switch to express delivery', intent: 'change_delivery' },
        { label: 'Store pickup', value: 'I will pick it up in store', intent: 'change_delivery' },
        { label: 'On Saturday', value: 'deliver it on Saturday', intent: 'change_delivery' },
      ],
      orders,
    };
  }
  if (want.option === o.deliveryOption)
    return {
      say: [`Your order with ${items} is already set for ${want.optionText}`],
      ask: 'Anything else I can change?',
      actions: [ACT.cancel],
      orders,
    };
  const pending: Pending = {
    kind: 'change_delivery',
    brandId: o.brandId,
    orderId: o.orderId,
    option: want.option,
    optionText: want.optionText,
    what: `your order with ${items}`,
    expiresAt: pendingUntil(turn.now),
  };
  return {
    say: [],
    ask: `Shall I switch your order with ${items} to ${want.optionText}?`,
    actions: YES_NO('Yes, switch it', 'No, leave it'),
    pending,
    orders,
  };
}

async function doChangeDelivery(turn: Turn, p: Extract<Pending, { kind: 'change_delivery' }>): Promise<Answer> {
  const shop = await loadShop(turn);
  const o = shop.orders.find((x) => x.brandId === p.brandId && x.orderId === p.orderId);
  if (!o || !notShipped(o) || !isInFlight(o))
    return {
      say: [`Sorry, ${p.what} has shipped since I asked, so its delivery can't change now`],
      ask: 'Want the tracking link?',
      actions: [ACT.tracking],
    };
  await turn.tx.query(
    'UPDATE orders SET delivery_option = $4, updated_at = $5 WHERE person_id = $1 AND brand_id = $2 AND order_id = $3',
    [turn.person.id, o.brandId, o.orderId, p.option, turn.now],
  );
  return {
    say: [`Done: ${p.what} is now set for ${p.optionText}`],
    ask: 'Anything else for this order?',
    actions: [ACT.tracking, ACT.cancel],
    pending: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Yes or no

const YES =
  /^\s*(y|ya|yes+|yeah|yep|yup|sure|ok(ay)?|k|please( do)?|do it|go ahead|go for it|confirm(ed)?|absolutely|of course|correct|sounds good|yes please|please yes)\b[\s!.,]*(please|thanks|thank you)?[\s!.]*$/i;
const NO =
  /^\s*(n|no+|nope|nah|no thanks|no thank you|don'?t|do not|never ?mind|cancel that|leave it|keep it|not now)\b[\s!.,]*(thanks|thank you)?[\s!.]*$/i;

export function yesOrNo(text: string): 'yes' | 'no' | null {
  if (YES.test(text)) return 'yes';
  if (NO.test(text)) return 'no';
  return null;
}

/** Resolves the action waiting for an answer. */
export async function resolvePending(turn: Turn, p: Pending, answer: 'yes' | 'no'): Promise<Answer> {
  if (answer === 'no') {
    return {
      say: [p.kind === 'grant' ? "OK, I'll keep that to myself" : `OK, I've left ${p.what} as it is`],
      ask: 'Anything else I can help with?',
      actions: [],
      pending: null,
    };
  }
  switch (p.kind) {
    case 'cancel':
      return doCancel(turn, p);
    case 'return':
      return doReturn(turn, p);
    case 'change_delivery':
      return doChangeDelivery(turn, p);
    case 'grant':
      await grant(turn.tx, {
        personId: turn.person.id,
        brandId: p.brandId,
        scopes: p.scopes,
        purposes: ['service', 'recommendations'],
        how: 'chat',
        // A special category is only ever asked for on its own, so only a single scope is an explicit grant.
        explicit: p.scopes.length === 1,
        at: turn.now,
      });
      return {
        say: [`Done: ${turn.brandName(p.brandId)} can now use ${p.what} for your suggestions`],
        ask: 'Want some ideas now?',
        actions: [ACT.shop],
        pending: null,
      };
  }
}
