/**
 * The orders room's front door: a person's orders, and what they may do to them (cancel, partial cancel, return,
 * delivery change), with the rules those actions follow. Other rooms call these; none writes orders, order_items,
 * shipments or returns itself.
 */
export {
  CustomerInput,
  type Order,
  type OrderItem,
  OrderInput,
  orderOfBrand,
  orderOfPerson,
  ordersOfPerson,
  type Return,
  type Shipment,
  ShipmentInput,
  upsertCustomers,
  upsertOrderFromEvent,
  upsertOrders,
  upsertShipments,
  type Written,
} from './orders.js';
export {
  cancelItems,
  canCancel,
  canReturn,
  changeDeliveryOption,
  deliveredAt,
  isRefusal,
  liveItems,
  notShipped,
  type Refusal,
  RETURN_DAYS,
  refundOf,
  returningLines,
  startReturn,
} from './actions.js';
