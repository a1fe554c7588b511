/**
 * Questions about the shopper's own orders, answered from the brand's data: where it is, tracking,
 * payment, refunds. The brand's orders are its own data, used for `service`.
 */
import type { Order } from '../../orders/index.js';
import { paymentMethodsOf } from '../../brands/index.js';
import type { Offer } from '../compose.js';
import type { Answer, Turn } from '../turn.js';
import {
  byPhrase,
  capitalize,
  carrierPhrase,
  clockPhrase,
  currentShipment,
  dayOffset,
  dayPhrase,
  list,
  money,
} from '../wording.js';
import {
  fittingAccessory,
  isInFlight,
  itemName,
  liveItems,
  itemWordsIn,
  loadShop,
  namedLines,
  orderItems,
  orderReference,
  rankOrders,
  type Shop,
  your,
} from './shop.js';

export const ACT = {
  tracking: { label: 'Tracking link', value: 'send me the tracking link', intent: 'track_shipment' },
  ret: { label: 'Start a return', value: 'I want to return something', intent: 'return_item' },
  cancel: { label: 'Cancel it', value: 'cancel my order', intent: 'cancel_order' },
  delivery: { label: 'Change delivery', value: 'change my delivery', intent: 'change_delivery' },
  others: { label: 'My other orders', value: 'what about my other orders?', intent: 'order_status' },
  human: { label: 'Talk to a person', value: 'I want to talk to a person', intent: 'talk_to_human' },
  shop: { label: 'Suggest something', value: 'what do you recommend?', intent: 'recommend' },
  refund: { label: 'My refund', value: 'where is my refund?', intent: 'refund_status' },
} satisfies Record<string, Offer>;

/** Loads the shop and picks the order the message is about; refuses a reference to an order that is not theirs. */
async function whichOrder(
  turn: Turn,
  opts: { skipLast?: boolean } = {},
): Promise<{ shop: Shop; ranked: Order[]; refused?: Answer; skipped: Turn['state']['lastOrders'] }> {
  const shop = await loadShop(turn);
  const ref = orderReference(shop, turn.text);
  if (ref.foreign && !ref.own) {
    // Never say whether the order exists: it is simply not among theirs.
    return {
      shop,
      ranked: [],
      skipped: [],
      refused: {
        say: [
          `I can't find an order ${ref.foreign} among yours, and I can only look up orders placed with your account`,
        ],
        ask: 'Want to hear about your own orders instead?',
        actions: [{ label: 'My orders', value: 'where is my order?', intent: 'order_status' }, ACT.human],
      },
    };
  }
  const skip =
    opts.skipLast && /\b(other|others|else|second|another|rest)\b/i.test(turn.text) ? turn.state.lastOrders : [];
  let ranked = rankOrders(shop, turn.text, skip);
  if (ref.own) ranked = [ref.own, ...ranked.filter((o) => o !== ref.own)];
  return { shop, ranked, skipped: skip };
}

/** Said only when the shopper asked for it: "(order DEMO-V-1001)". */
const orderNumberIfAsked = (turn: Turn, o: Order) =>
  /\b(order (number|no|id|#)|which order|number of (my|the) order)\b/i.test(turn.text) ||
  orderReference({ orders: [o], products: new Map(), noUpsell: new Set() }, turn.text).own
    ? ` (order ${o.orderId})`
    : '';

/** Where an order is, in one sentence: "Your package with X will be delivered tomorrow by 7 PM via UPS Ground." */
export function whereIs(turn: Turn, shop: Shop, o: Order): { sentence: string; late: boolean; problem: boolean } {
  const tz = turn.person.timeZone;
  const items = orderItems(shop, o) + orderNumberIfAsked(turn, o);
  const s = currentShipment(o);
  if (!s) {
    if (o.status === 'cancelled')
      return {
        sentence: `${capitalize(your(turn, o, 'order'))} with ${items} was cancelled`,
        late: false,
        problem: false,
      };
    return {
      sentence: `${capitalize(your(turn, o, 'order'))} with ${items} is being prepared and hasn't shipped yet`,
      late: false,
      problem: false,
    };
  }
  const via = carrierPhrase(s);
  const pkg = capitalize(your(turn, o, 'package'));
  if (s.status === 'delivered' || o.status === 'delivered') {
    const at = s.deliveredAt ?? s.windowEnd;
    return {
      sentence: `${pkg} with ${items} was delivered${at ? ` ${dayPhrase(at, turn.now, tz)} at ${clockPhrase(at, tz)}` : ''} via ${via}`,
      late: false,
      problem: false,
    };
  }
  if (s.status === 'exception')
    return {
      sentence: `${s.carrier} reports a problem delivering ${your(turn, o, 'package')} with ${items}`,
      late: false,
      problem: true,
    };
  if (s.windowEnd && s.windowEnd < turn.now) {
    return {
      sentence: `${pkg} with ${items} was due ${byPhrase(s.windowEnd, turn.now, tz)} via ${via} and is running late`,
      late: true,
      problem: false,
    };
  }
  if (s.status === 'out_for_delivery') {
    return {
      sentence: `${pkg} with ${items} is out for delivery and will arrive ${s.windowEnd ? byPhrase(s.windowEnd, turn.now, tz) : 'today'} via ${via}`,
      late: false,
      problem: false,
    };
  }
  if (s.status === 'label_created') {
    return {
      sentence: `${pkg} with ${items} is packed for ${via}${s.windowEnd ? ` and due ${byPhrase(s.windowEnd, turn.now, tz)}` : ''}`,
      late: false,
      problem: false,
    };
  }
  return {
    sentence: `${pkg} with ${items} ${s.windowEnd ? `will be delivered ${byPhrase(s.windowEnd, turn.now, tz)}` : 'is on its way'} via ${via}`,
    late: false,
    problem: false,
  };
}

function noOrders(turn: Turn, shop: Shop): Answer {
  const where = turn.brand ? ` at ${turn.brand.name}` : '';
  if (shop.orders.length === 0) {
    return {
      say: [`I don't see any orders from you${where} yet`],
      ask: 'Want some ideas to get started?',
      actions: [ACT.shop, ACT.human],
    };
  }
  return {
    say: [`You have no orders on the way${where} right now`],
    ask: 'Want help with a past order, like a return or a refund?',
    actions: [ACT.ret, ACT.refund, ACT.shop],
  };
}

/** "When will my order arrive?" */
export async function orderStatus(turn: Turn): Promise<Answer> {
  const { shop, ranked, refused, skipped } = await whichOrder(turn, { skipLast: true });
  if (refused) return refused;
  const active = ranked.filter(isInFlight);
  if (skipped.length && !active.length) {
    return {
      say: [`You have no other orders on the way${turn.brand ? ` at ${turn.brand.name}` : ''}`],
      ask: 'Want help with a past order, like a return or a refund?',
      actions: [ACT.ret, ACT.refund, ACT.shop],
    };
  }
  const o =
    active[0] ??
    (ranked[0] &&
    dayOffset(currentShipment(ranked[0])?.deliveredAt ?? ranked[0].placedAt, turn.now, turn.person.timeZone) > -14
      ? ranked[0]
      : undefined);
  if (!o) return noOrders(turn, shop);
  const { sentence, late, problem } = whereIs(turn, shop, o);
  const others = active.filter((x) => x !== o).length;
  // Only the order told about: "what about my other orders?" then skips it.
  const orders = [{ brandId: o.brandId, orderId: o.orderId }, ...skipped];
  if (late || problem) {
    return {
      say: [sentence],
      ask: 'Want me to get a person to chase it, or the tracking link?',
      actions: [ACT.human, ACT.tracking],
      orders,
    };
  }
  // The leading question: two or three next steps, said all as things (shipped) or all as doings (not shipped yet).
  const shipped = o.shipments.length > 0;
  const accessory = await fittingAccessory(turn, shop, o);
  const actions: Offer[] = [];
  const options: string[] = [];
  const accessoryOffer = accessory && {
    label: capitalize(accessory.label),
    value: `show me the ${accessory.product.name}`,
    intent: 'find_product' as const,
  };
  const otherWords = others === 1 ? 'order' : `${others} orders`;
  if (!shipped && o.status === 'placed') {
    options.push('change the delivery', 'cancel something'), actions.push(ACT.delivery, ACT.cancel);
    if (others) options.push(`hear about your other ${otherWords}`), actions.push(ACT.others);
    else if (accessoryOffer) options.push(`see a ${accessory!.label} to go with it`), actions.push(accessoryOffer);
    return { say: [sentence], ask: `Want to ${list(options, 'or')}?`, actions, orders };
  }
  if (o.status !== 'cancelled') options.push('the tracking link'), actions.push(ACT.tracking);
  if (o.status !== 'cancelled' && !others) options.push('a return'), actions.push(ACT.ret);
  if (accessoryOffer) options.push(`a ${accessory!.label} for it`), actions.push(accessoryOffer);
  if (others) options.push(`news of your other ${otherWords}`), actions.push(ACT.others);
  return {
    say: [sentence],
    ask: options.length ? `Want ${list(options.slice(0, 3), 'or')}?` : undefined,
    actions,
    orders,
  };
}

/** "Send me the tracking link." */
export async function trackShipment(turn: Turn): Promise<Answer> {
  const { shop, ranked, refused } = await whichOrder(turn, { skipLast: true });
  if (refused) return refused;
  const o = ranked.find((x) => isInFlight(x) && x.shipments.length) ?? ranked.find(isInFlight) ?? ranked[0];
  if (!o) return noOrders(turn, shop);
  const orders = [{ brandId: o.brandId, orderId: o.orderId }];
  const s = currentShipment(o);
  const items = orderItems(shop, o) + orderNumberIfAsked(turn, o);
  if (!s) {
    return {
      say: [
        `${capitalize(your(turn, o, 'order'))} with ${items} hasn't shipped yet, so there's no tracking number so far`,
      ],
      ask: 'Want to change its delivery or cancel something while you still can?',
      actions: [ACT.delivery, ACT.cancel],
      orders,
    };
  }
  const where = s.trackingUrl
    ? `${s.trackingUrl}${s.trackingNumber ? ` (number ${s.trackingNumber})` : ''}`
    : s.trackingNumber
      ? `number ${s.trackingNumber}`
      : '';
  if (!where) {
    return {
      say: [`${carrierPhrase(s)} hasn't given a tracking number for ${your(turn, o, 'package')} with ${items} yet`],
      ask: 'Want a person to check on it?',
      actions: [ACT.human],
      orders,
    };
  }
  const accessory = await fittingAccessory(turn, shop, o);
  return {
    say: [`Here's the ${s.carrier} tracking for ${your(turn, o, 'package')} with ${items}: ${where}`],
    ask: accessory ? `Want a ${accessory.label} to go with it?` : undefined,
    actions: [
      ...(accessory
        ? [
            {
              label: capitalize(accessory.label),
              value: `show me the ${accessory.product.name}`,
              intent: 'find_product' as const,
            },
          ]
        : []),
      ACT.ret,
      ACT.human,
    ],
    orders,
  };
}

/** "It doesn't fit", "it's broken": a problem with a product, which a return or a person solves. */
export const PRODUCT_PROBLEM =
  /\b(does ?n'?t|doesnt|don'?t|dont|won'?t|wont|is ?n'?t|isnt|not|never)\s+(fit|fits|work|working|charge|charging|turn on|switch on|match|connect|pair)\b|\b(broken|broke|damaged|defective|faulty|cracked|dented|leaking|stopped working|wrong size|too (small|big|large|tight|loose|short|long))\b/i;

/** A product that doesn't fit or work: sorry, and a return of that item or a person, never a payment answer. */
export async function productProblem(turn: Turn): Promise<Answer> {
  const { shop, ranked } = await whichOrder(turn);
  // The thing with the problem is the first one named ("the charger ... doesn't fit the toothbrush": the charger).
  const subject = itemWordsIn(turn.text)[0] ?? '';
  const o = ranked.find((x) => namedLines(shop, x, subject).length);
  const line = o?.items.find((i) => namedLines(shop, o, subject).includes(i.lineNo));
  if (!o || !line)
    return {
      say: ["Sorry it isn't right"],
      ask: 'Want to start a return, or have a person help?',
      actions: [ACT.ret, ACT.human],
    };
  const name = itemName(shop, o, line);
  return {
    say: [`Sorry the ${name} isn't right`],
    ask: `Want to return it, or have a person from ${turn.brandName(o.brandId)} help?`,
    actions: [{ label: 'Return it', value: `return the ${name}`, intent: 'return_item' }, ACT.human],
    orders: [{ brandId: o.brandId, orderId: o.orderId }],
  };
}

const PAY_HOW =
  /\b(how (do|can|should|would) (i|we|you) pay|ways? to pay|payment (methods?|options?)|pay (with|by|using)|(do|can) (you|i) (take|accept|use)|accept|methods?)\b/i;
const METHOD_WORDS =
  /\b(paypal|apple pay|google pay|klarna|afterpay|affirm|venmo|cash|crypto|bitcoin|gift cards?|visa|mastercard|amex|american express|discover|debit|credit card|invoice)\b/i;

/** "How do I pay?", "do you take PayPal?": the shop's own list of payment methods. */
async function paymentMethods(turn: Turn, o: Order | undefined): Promise<Answer> {
  const brandId = turn.brand?.id ?? o?.brandId;
  const shopName = brandId ? turn.brandName(brandId) : 'the shop';
  const methods = brandId ? await paymentMethodsOf(turn.tx, brandId) : null;
  if (!methods?.length) {
    const used = o?.paymentMethod ? `; your last order was paid with ${o.paymentMethod}` : '';
    return {
      say: [`I can't see which payment methods ${shopName} takes${used}`],
      ask: 'Want me to ask a person for you?',
      actions: [ACT.human],
    };
  }
  const asked = METHOD_WORDS.exec(turn.text)?.[0];
  const takes = `${shopName} takes ${list(methods)}`;
  if (asked && !/^(credit card|debit)$/i.test(asked)) {
    const yes = methods.some((m) => m.toLowerCase().includes(asked.toLowerCase().replace(/s$/, '')));
    return {
      say: [yes ? `Yes, ${takes}` : `No, ${shopName} doesn't take ${asked}; it takes ${list(methods)}`],
      ask: 'Anything else about paying?',
      actions: [ACT.human],
    };
  }
  return { say: [takes], ask: 'Anything else about paying?', actions: [ACT.human] };
}

/** "Why was I charged twice?", "do you take PayPal?", "how do I pay?", "can I get an invoice?" */
export async function paymentQuestion(turn: Turn): Promise<Answer> {
  if (PRODUCT_PROBLEM.test(turn.text)) return productProblem(turn);
  const { shop, ranked, refused } = await whichOrder(turn);
  if (refused) return refused;
  const o = ranked[0];
  if (PAY_HOW.test(turn.text) || (METHOD_WORDS.test(turn.text) && !/\b(charged?|refund|twice|paid)\b/i.test(turn.text)))
    return paymentMethods(turn, o);
  if (!o) return noOrders(turn, shop);
  const orders = [{ brandId: o.brandId, orderId: o.orderId }];
  const items = orderItems(shop, o, o.items);
  const total = money(o.total, o.currency);
  const card = o.paymentMethod ?? 'your card';
  const status: Record<string, string> = {
    paid: 'went through',
    pending: 'is still pending',
    failed: "didn't go through",
    refund_pending: 'is being refunded',
    refunded: 'was refunded',
  };
  if (/\b(twice|double|two charges|charged 2|duplicate|extra charge|overcharged|charged again)\b/i.test(turn.text)) {
    return {
      say: [
        `I see one charge of ${total} to ${card} for your order with ${items}, so a second one may be a temporary hold`,
      ],
      ask: 'Want a person to check it?',
      actions: [ACT.human],
      orders,
    };
  }
  if (/\b(invoice|receipt|vat|bill)\b/i.test(turn.text)) {
    return {
      say: [
        `Your order with ${items} came to ${total}, paid with ${card} ${dayPhrase(o.placedAt, turn.now, turn.person.timeZone)}`,
      ],
      ask: 'Want a person to send you the invoice?',
      actions: [ACT.human],
      orders,
    };
  }
  return {
    say: [
      `Your order with ${items} came to ${total}, and the payment with ${card} ${status[o.paymentStatus] ?? `is ${o.paymentStatus.replace(/_/g, ' ')}`}`,
    ],
    ask: 'Want a person to look into a charge?',
    actions: [ACT.human, ACT.refund],
    orders,
  };
}

/** "Where is my refund?" — from returns and cancelled items. */
export async function refundStatus(turn: Turn): Promise<Answer> {
  const shop = await loadShop(turn);
  const tz = turn.person.timeZone;
  // Returns come with the orders (the orders room's data), newest first.
  const ret = shop.orders
    .flatMap((o) => o.returns.map((r) => ({ ...r, amount: r.refundAmount, brandId: o.brandId, orderId: o.orderId })))
    .sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime())[0];
  const cancelled = shop.orders
    .filter(
      (o) =>
        o.paymentStatus === 'refund_pending' ||
        o.paymentStatus === 'refunded' ||
        o.items.some((i) => i.status === 'cancelled'),
    )
    .sort((a, b) => b.placedAt.getTime() - a.placedAt.getTime())[0];
  if (ret) {
    const o = shop.orders.find((x) => x.brandId === ret.brandId && x.orderId === ret.orderId)!;
    const lines = o.items.filter((i) => ret.lineNos.includes(i.lineNo));
    const what = list(lines.map((i) => itemName(shop, o, i)));
    const amount = ret.amount != null ? `${money(ret.amount, o.currency)} ` : '';
    const orders = [{ brandId: o.brandId, orderId: o.orderId }];
    if (ret.refundStatus === 'refunded' || ret.refundedAt) {
      return {
        say: [
          `Your ${amount}refund for ${what} was issued ${dayPhrase(ret.refundedAt ?? turn.now, turn.now, tz)} to ${o.paymentMethod ?? 'your card'}`,
        ],
        ask: 'Banks can take a few days to show it; want a person to check?',
        actions: [ACT.human],
        orders,
      };
    }
    if (ret.status === 'rejected')
      return {
        say: [`The return of ${what} was not accepted, so no refund is due`],
        ask: 'Want a person to explain why?',
        actions: [ACT.human],
        orders,
      };
    const shopName = turn.brandName(o.brandId);
    const received =
      ret.status === 'received'
        ? `${shopName} has your return and the refund is on its way`
        : `it's issued once ${shopName} receives the return`;
    return {
      say: [`Your ${amount}refund for ${what} is pending, and ${received}`],
      ask: 'Want a person to look into it?',
      actions: [ACT.human, ACT.tracking],
      orders,
    };
  }
  if (cancelled) {
    const items = cancelled.items.filter((i) => i.status === 'cancelled');
    const amount = items.reduce((s, i) => s + i.quantity * i.unitPrice, 0);
    const what = list(items.map((i) => itemName(shop, cancelled, i)).slice(0, 2));
    const done = cancelled.paymentStatus === 'refunded';
    return {
      say: [
        `Your ${money(amount, cancelled.currency)} refund for the cancelled ${what} ${done ? 'was issued' : 'is on its way'} to ${cancelled.paymentMethod ?? 'your card'}`,
      ],
      ask: 'Want a person to check on it?',
      actions: [ACT.human],
      orders: [{ brandId: cancelled.brandId, orderId: cancelled.orderId }],
    };
  }
  return {
    say: [`I don't see a return or cancellation waiting for a refund${turn.brand ? ` at ${turn.brand.name}` : ''}`],
    ask: 'Want to start a return, or ask a person?',
    actions: [ACT.ret, ACT.human],
  };
}

export { whichOrder, liveItems };
