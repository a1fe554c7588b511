/** The triggers a brand can switch on, and what each one's firing looks like. One list for routes, settings and runs. */
export const TRIGGERS = [
  'order_shipped',
  'order_delayed',
  'back_in_stock',
  'price_drop',
  'birthday',
  'abandoned_cart',
] as const;
export type TriggerName = (typeof TRIGGERS)[number];

/** One message a trigger wants to send: to whom, once per `windowKey`, with which template. */
export interface Firing {
  trigger: TriggerName;
  brandId: number;
  personId: string;
  /** What makes it once: the shipment, the product and its new price, the birthday's year, the cart. */
  windowKey: string;
  purpose: 'transactional' | 'marketing';
  /** Variants in order of preference: the messaging room's guard sends the first whose facts it may use. */
  variants: string[];
  subject: string;
  data: Record<string, unknown>;
}

/** A trigger's search: the firings due at `now` for one brand (already-fired windows are left out by the runner). */
export type FindFirings = (
  ctx: { db: import('../../db/pool.js').Db; now: () => Date },
  brandId: number,
  now: Date,
) => Promise<Firing[]>;

/** How often each trigger looks at its data (minutes); birthdays once a day. */
export const EVERY_MINUTES: Record<TriggerName, number> = {
  order_shipped: 5,
  order_delayed: 30,
  back_in_stock: 15,
  price_drop: 15,
  birthday: 24 * 60,
  abandoned_cart: 30,
};
