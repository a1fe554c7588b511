/**
 * Things the shopper asks the chat to do to an order: cancel it (or some of its items), return items, change the
 * delivery. The orders room owns the actions and their rules (`src/orders`); the chat finds the order that holds
 * what the shopper named (and says so when none does), asks back naming exactly what will change, and calls the
 * action only on "yes".
 */
import type { Order } from '../../orders/index.js';
import {
  cancelItems,
  canCancel,
  canReturn,
  changeDeliveryOption,
  isRefusal,
  notShipped,
  RETURN_DAYS,
  type Refusal,
  returningLines,
  startReturn,
} from '../../orders/index.js';
import { grant } from '../../gatekeeper/index.js';
import type { Offer } from '../compose.js';
import type { Pending } from '../store.js';
import type { Answer, Turn } from '../turn.js';
import { pendingUntil } from '../turn.js';
import { atLocalTime, localDate } from '../../time.js';
import {
  asItem,
  capitalize,
  carrierPhrase,
  currentShipment,
  dayPhrase,
  leadItem,
  list,
  money,
  singular,
} from '../wording.js';
import { ACT, whichOrder } from './orders.js';
import {
  isInFlight,
  itemName,
  itemWordsIn,
  liveItems,
  loadShop,
  namedLines,
  orderItems,
  splitKept,
  type Shop,
} from './shop.js';

export { RETURN_DAYS };

const YES_NO = (yes: string, no: string) => [
  { label: yes, value: 'yes' },
  { label: no, value: 'no' },
];

/** "Philips Sonicare", "Sourdough Loaf and Colombian Ground Coffee", or the whole order's phrase. */
function whatOf(shop: Shop, o: Order, lineNos: number[]): string {
  const live = liveItems(o);
  if (lineNos.length === live.length && live.length > 2) return `your order with ${orderItems(shop, o)}`;
  return list(o.items.filter((i) => lineNos.includes(i.lineNo)).map((i) => asItem(itemName(shop, o, i))));
}

const wholeOrder = (text: string) => /\b(all|everything|whole|entire|full)\b/i.test(text);

const withArticle = (thing: string) => (/^[aeiou]/i.test(thing) ? `an ${thing}` : `a ${thing}`);

/**
 * When the message names an item that none of the shopper's orders holds ("can I return the toothbrush?" at a deli),
 * the answer says so and offers the orders it does see; no action is offered on an order that doesn't hold it.
 */
function notInAnyOrder(turn: Turn, shop: Shop, ranked: Order[], verb: 'return' | 'cancel' | 'change'): Answer | null {
  const words = itemWordsIn(turn.text);
  if (!words.length || ranked.some((o) => namedLines(shop, o, turn.text).length)) return null;
  const where = turn.brand ? `your ${turn.brand.name} orders` : 'your orders';
  const seen = (verb === 'return' ? ranked : ranked.filter(isInFlight)).slice(0, 3);
  const intent = verb === 'return' ? 'return_item' : verb === 'cancel' ? 'cancel_order' : 'change_delivery';
  const actions: Offer[] = seen.map((o) => {
    const lead = leadItem(liveItems(o).length ? liveItems(o) : o.items)!;
    const name = itemName(shop, o, lead);
    return {
      label: `Order with ${name}`,
      value: verb === 'change' ? `change the delivery of the ${name}` : `${verb} the ${name}`,
      intent,
    };
  });
  // The words as said ("headphones"), so the reply reads naturally.
  const said = [
    ...new Set(
      turn.text
        .toLowerCase()
        .split(/[^a-z0-9'-]+/)
        .filter((t) => t.length > 2 && words.includes(singular(t))),
    ),
  ].join(' ');
  const thing = said || words.join(' ');
  const plural = /[^s]s$/.test(thing);
  return {
    say: [`I can't find ${plural ? `any ${thing}` : withArticle(thing)} in ${where}`],
    ask: seen.length
      ? `Did you mean ${seen.length === 1 ? 'your order with' : 'one of your orders, with'} ${list(
          seen.map((o) => orderItems(shop, o, liveItems(o).length ? liveItems(o) : o.items)),
          'or',
        )}?`
      : 'Want a person to help?',
    actions: seen.length ? [...actions, ACT.human] : [ACT.human],
  };
}

/** The lines a message asks to act on in an order: those it names, less those it says to keep; all when it names none. */
function linesAskedFor(
  shop: Shop,
  o: Order,
  text: string,
  among = liveItems(o),
): { lineNos: number[]; named: boolean } {
  const { act, keep } = splitKept(text);
  const kept = new Set(keep ? namedLines(shop, o, keep, among) : []);
  const named = namedLines(shop, o, act, among).filter((n) => !kept.has(n));
  if (named.length && !wholeOrder(act)) return { lineNos: named, named: true };
  return { lineNos: among.map((i) => i.lineNo).filter((n) => !kept.has(n)), named: kept.size > 0 };
}

// ---------------------------------------------------------------------------------------------
// Cancel

/** Why an action can't be done, said plainly with the next best thing. */
function refusalAnswer(turn: Turn, shop: Shop, o: Order, what: string, r: Refusal): Answer {
  const orders = [{ brandId: o.brandId, orderId: o.orderId }];
  switch (r.reason) {
    case 'already_cancelled':
      return {
        say: [`${capitalize(what)} is already cancelled`],
        ask: 'Want to check your refund?',
        actions: [ACT.refund],
        orders,
      };
    case 'delivered':
      return {
        say: [`${capitalize(what)} was already delivered, so there's nothing to cancel`],
        ask: 'Want to start a return instead?',
        actions: [ACT.ret],
        orders,
      };
    case 'shipped': {
      const s = currentShipment(o);
      return {
        say: [`${capitalize(what)} already shipped${s ? ` with ${carrierPhrase(s)}` : ''}, so I can't cancel it now`],
        ask: 'Want to start a return once it arrives, or the tracking link?',
        actions: [ACT.ret, ACT.tracking],
        orders,
      };
    }
    case 'already_returning':
      return {
        say: [`A return for ${what} is already started`],
        ask: 'Want to check on the refund?',
        actions: [ACT.refund],
        orders,
      };
    case 'past_window':
      return {
        say: [
          `Your order with ${orderItems(shop, o)} was delivered ${dayPhrase(r.deliveredAt, turn.now, turn.person.timeZone)}, past the ${RETURN_DAYS}-day return window`,
        ],
        ask: 'Want a person to take a look anyway?',
        actions: [ACT.human],
        orders,
      };
    default:
      return {
        say: [`There's nothing left to return or cancel from your order with ${orderItems(shop, o, o.items)}`],
        ask: 'Want to check on a refund?',
        actions: [ACT.refund, ACT.human],
        orders,
      };
  }
}

/** "Shall I cancel ...?", naming exactly what changes: the items, what stays, the refund and where it goes. */
function askToCancel(turn: Turn, shop: Shop, o: Order, lineNos: number[], refund: number, instead = false): Answer {
  const what = whatOf(shop, o, lineNos);
  const rest = liveItems(o).filter((i) => !lineNos.includes(i.lineNo));
  const keep = rest.length
    ? `, so I can cancel just ${lineNos.length === 1 ? 'that' : 'those'} and keep ${rest.length <= 2 ? list(rest.map((i) => asItem(itemName(shop, o, i)))) : `the other ${rest.length} items`}`
    : instead
      ? ', so I can simply cancel it instead'
      : ', so I can still cancel it';
  const pending: Pending = {
    kind: 'cancel',
    brandId: o.brandId,
    orderId: o.orderId,
    lineNos,
    what,
    expiresAt: pendingUntil(turn.now),
  };
  return {
    say: [`${capitalize(what)} hasn't shipped yet${keep}`],
    ask: `Shall I cancel it and refund ${money(refund, o.currency)} to ${o.paymentMethod ?? 'your card'}?`,
    actions: YES_NO('Yes, cancel it', 'No, keep it'),
    pending,
    orders: [{ brandId: o.brandId, orderId: o.orderId }],
  };
}

export async function cancelOrder(turn: Turn): Promise<Answer> {
  const { shop, ranked, refused } = await whichOrder(turn);
  if (refused) return refused;
  const missing = notInAnyOrder(turn, shop, ranked, 'cancel');
  if (missing) return missing;
  // The order holding what was named (whatever its state), else the one on its way.
  const named = ranked.find((o) => namedLines(shop, o, turn.text).length);
  const o = named ?? ranked.find(isInFlight);
  if (!o)
    return {
      say: ['You have no orders that can still be cancelled'],
      ask: 'Want to start a return instead?',
      actions: [ACT.ret, ACT.human],
    };
  const asked = named ? linesAskedFor(shop, o, turn.text, o.items) : { lineNos: liveItems(o).map((i) => i.lineNo) };
  const lineNos = asked.lineNos.length ? asked.lineNos : liveItems(o).map((i) => i.lineNo);
  const ok = canCancel(o, lineNos);
  if (isRefusal(ok)) return refusalAnswer(turn, shop, o, whatOf(shop, o, lineNos), ok);
  return askToCancel(turn, shop, o, ok.lineNos, ok.refund);
}

async function doCancel(turn: Turn, p: Extract<Pending, { kind: 'cancel' }>): Promise<Answer> {
  const r = await cancelItems(turn.tx, {
    personId: turn.person.id,
    brandId: p.brandId,
    orderId: p.orderId,
    lineNos: p.lineNos,
    now: turn.now,
  });
  if (isRefusal(r)) {
    if (r.reason === 'shipped')
      return {
        say: [`Sorry, ${p.what} has shipped since I asked, so I can't cancel it now`],
        ask: 'Want to start a return instead?',
        actions: [ACT.ret],
      };
    if (r.reason === 'no_such_items')
      return { say: ["I can't find that order any more"], ask: 'Want a person to help?', actions: [ACT.human] };
    return {
      say: [`${capitalize(p.what)} can't be cancelled any more`],
      ask: 'Want to check your refund?',
      actions: [ACT.refund],
    };
  }
  const shop = await loadShop(turn);
  const o = shop.orders.find((x) => x.brandId === p.brandId && x.orderId === p.orderId);
  return {
    say: [
      `Done: I've cancelled ${p.what}, and ${money(r.refund, o?.currency)} goes back to ${o?.paymentMethod ?? 'your card'}`,
    ],
    ask: r.everything ? undefined : 'Want to know when the rest arrives?',
    actions: r.everything ? [ACT.shop] : [ACT.others],
    pending: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Return

const SEND_BACK =
  /\b(send|ship|post|mail|bring|drop)\b.{0,20}\bback\b|\breturn label\b|\bdrop (it |them )?off\b|\bwhere do i (send|ship)\b/i;

export async function returnItem(turn: Turn): Promise<Answer> {
  const { shop, ranked, refused } = await whichOrder(turn);
  if (refused) return refused;
  // "How do I send it back?" right after a return was started: how, not another return.
  if (SEND_BACK.test(turn.text)) {
    const last = turn.state.lastOrders[0];
    const o =
      (last &&
        shop.orders.find((x) => x.brandId === last.brandId && x.orderId === last.orderId && returningLines(x).size)) ??
      ranked.find((x) => (x.returns ?? []).some((r) => r.status === 'requested'));
    const ret = o?.returns?.find((r) => r.status === 'requested');
    if (o && ret) {
      const what = whatOf(shop, o, ret.lineNos);
      return {
        say: [
          `Your return of ${what} is started: send it back to ${turn.brandName(o.brandId)} in its packaging, and ${money(ret.refundAmount ?? 0, o.currency)} is refunded once it arrives`,
        ],
        ask: 'Want a person to send you a return label?',
        actions: [ACT.human, ACT.refund],
        orders: [{ brandId: o.brandId, orderId: o.orderId }],
      };
    }
  }
  const missing = notInAnyOrder(turn, shop, ranked, 'return');
  if (missing) return missing;
  const named = ranked.find((o) => namedLines(shop, o, turn.text).length);
  const candidates = ranked.filter((o) => o.status === 'shipped' || o.status === 'delivered');
  const o = named ?? candidates.find((x) => liveItems(x).some((i) => !returningLines(x).has(i.lineNo))) ?? ranked[0];
  if (!o)
    return {
      say: ["I don't see anything you've bought here that could go back"],
      ask: 'Want help with something else?',
      actions: [ACT.shop, ACT.human],
    };
  const orders = [{ brandId: o.brandId, orderId: o.orderId }];
  const returning = returningLines(o);
  const asked = named ? linesAskedFor(shop, o, turn.text, o.items) : null;
  const ok = canReturn(o, returning, turn.now, asked?.lineNos);
  if (isRefusal(ok)) {
    if (ok.reason === 'not_shipped') {
      // Not shipped yet: cancelling is the simpler way.
      const c = canCancel(o, ok.lineNos);
      if (!isRefusal(c)) return askToCancel(turn, shop, o, c.lineNos, c.refund, true);
    }
    return refusalAnswer(turn, shop, o, whatOf(shop, o, asked?.lineNos ?? liveItems(o).map((i) => i.lineNo)), ok);
  }
  let lineNos = asked ? ok.lineNos : [];
  const items = liveItems(o).filter((i) => !returning.has(i.lineNo));
  if (!lineNos.length && (items.length === 1 || wholeOrder(turn.text))) lineNos = ok.lineNos;
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
  const when = ok.deliveredAt ? `within ${RETURN_DAYS} days of delivery` : 'once it arrives';
  const refund =
    lineNos.length === ok.lineNos.length
      ? ok.refund
      : (canReturn(o, returning, turn.now, lineNos) as { refund: number }).refund;
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
    ask: `Shall I start a return for a ${money(refund, o.currency)} refund?`,
    actions: YES_NO('Yes, start it', 'No, keep it'),
    pending,
    orders,
  };
}

async function doReturn(turn: Turn, p: Extract<Pending, { kind: 'return' }>): Promise<Answer> {
  const r = await startReturn(turn.tx, {
    personId: turn.person.id,
    brandId: p.brandId,
    orderId: p.orderId,
    lineNos: p.lineNos,
    reason: 'asked in chat',
    now: turn.now,
  });
  if (isRefusal(r)) {
    if (r.reason === 'already_returning')
      return {
        say: [`A return for ${p.what} is already started`],
        ask: 'Want to check on the refund?',
        actions: [ACT.refund],
      };
    return { say: [`Sorry, ${p.what} can't go back now`], ask: 'Want a person to help?', actions: [ACT.human] };
  }
  const shop = await loadShop(turn);
  const o = shop.orders.find((x) => x.brandId === p.brandId && x.orderId === p.orderId)!;
  const first = o.items.find((i) => i.lineNo === p.lineNos[0])!;
  return {
    say: [
      `Done: your return of ${p.what} is started, and ${money(r.refund, o.currency)} is refunded once ${turn.brandName(o.brandId)} receives it`,
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
    orders: [{ brandId: o.brandId, orderId: o.orderId }],
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
  const missing = notInAnyOrder(turn, shop, ranked, 'change');
  if (missing) return missing;
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
  const r = await changeDeliveryOption(turn.tx, {
    personId: turn.person.id,
    brandId: p.brandId,
    orderId: p.orderId,
    option: p.option,
    now: turn.now,
  });
  if (isRefusal(r))
    return {
      say: [
        `Sorry, ${p.what} has ${r.reason === 'already_cancelled' ? 'been cancelled' : 'shipped'} since I asked, so its delivery can't change now`,
      ],
      ask: 'Want the tracking link?',
      actions: [ACT.tracking],
    };
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
