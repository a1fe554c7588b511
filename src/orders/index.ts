/** The orders room's front door: what other rooms may call. */
export {
  CustomerInput,
  type Order,
  type OrderItem,
  OrderInput,
  orderOfBrand,
  ordersOfPerson,
  type Shipment,
  ShipmentInput,
  upsertCustomers,
  upsertOrderFromEvent,
  upsertOrders,
  upsertShipments,
  type Written,
} from './orders.js';
