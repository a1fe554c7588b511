/** The published JSON Schema of `GET /v1/me/export` (served at `/v1/schemas/export.json`). */
import { type TSchema, Type } from '@sinclair/typebox';

const Time = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Row = Type.Record(Type.String(), Type.Unknown(), {
  description: 'A stored record as it is kept, minus the person id and any credential',
});

const Fact = Type.Object({
  id: Type.String({ format: 'uuid' }),
  about: Type.String({ description: '"self", or the person shopped for ("dad")' }),
  kind: Type.String(),
  value: Type.Unknown(),
  text: Type.String({ description: 'How the fact reads' }),
  polarity: Type.Union([Type.Literal('positive'), Type.Literal('negative')]),
  source: Type.Union([
    Type.Literal('stated'),
    Type.Literal('observed'),
    Type.Literal('imported'),
    Type.Literal('inferred'),
  ]),
  source_brand: Nullable(Type.String({ description: 'The brand whose data it came from' })),
  confidence: Type.Number({ minimum: 0, maximum: 1 }),
  sensitivity: Type.String(),
  scope: Type.String({ description: 'The grant scope that covers it' }),
  stated_at: Time,
  updated_at: Time,
  retired_uses: Type.Array(Type.String(), { description: 'Uses the person objected to' }),
});

const Item = Type.Object({
  line_no: Type.Integer(),
  product_id: Type.String(),
  name: Type.String(),
  quantity: Type.Integer(),
  unit_price: Type.Number(),
  status: Type.String(),
});
const Shipment = Type.Object({
  shipment_id: Type.String(),
  carrier: Type.String(),
  service: Nullable(Type.String()),
  tracking_number: Nullable(Type.String()),
  tracking_url: Nullable(Type.String()),
  status: Type.String(),
  shipped_at: Nullable(Time),
  window_start: Nullable(Time),
  window_end: Nullable(Time),
  delivered_at: Nullable(Time),
});
const Return = Type.Object({
  return_id: Type.String(),
  line_nos: Type.Array(Type.Integer()),
  reason: Nullable(Type.String()),
  status: Type.String(),
  refund_amount: Nullable(Type.Number()),
  refund_status: Type.String(),
  created_at: Time,
  refunded_at: Nullable(Time),
});
const Order = Type.Object({
  brand: Type.String(),
  order_id: Type.String(),
  status: Type.String(),
  placed_at: Time,
  total: Type.Number(),
  currency: Type.String(),
  payment_method: Nullable(Type.String()),
  payment_status: Type.String(),
  delivery_option: Type.String(),
  shipping_address: Type.Unknown(),
  items: Type.Array(Item),
  shipments: Type.Array(Shipment),
  returns: Type.Array(Return),
});

export const ExportSchema = Type.Object(
  {
    $schema: Type.String(),
    format: Type.Literal('confidant-export'),
    version: Type.Literal(1),
    exported_at: Time,
    person: Type.Object({
      id: Type.String({ format: 'uuid' }),
      email: Nullable(Type.String()),
      display_name: Nullable(Type.String()),
      time_zone: Type.String(),
      claimed: Type.Boolean(),
      created_at: Time,
    }),
    facts: Type.Array(Fact),
    links: Type.Array(
      Type.Object({
        brand: Type.String(),
        brand_name: Type.String(),
        customer_id: Type.String({ description: "The brand's own id for the person" }),
        traits: Type.Unknown({ description: 'What the brand sent about its customer (identify traits)' }),
        linked_at: Nullable(Time),
        created_at: Time,
      }),
    ),
    pseudonyms: Type.Array(Type.Object({ brand: Type.String(), pid: Type.String() }), {
      description: 'The id each brand knows the person by',
    }),
    grants: Type.Array(
      Type.Object({
        brand: Type.String(),
        scope: Type.String(),
        purpose: Type.String(),
        granted_at: Time,
        how: Type.String(),
        explicit: Type.Boolean(),
        expires_at: Nullable(Time),
        revoked_at: Nullable(Time),
      }),
    ),
    orders: Type.Array(Order, { description: 'Orders from every linked brand, with items, shipments and returns' }),
    events: Type.Array(
      Type.Object({
        brand: Type.String(),
        message_id: Type.String(),
        type: Type.String(),
        event: Nullable(Type.String()),
        product_id: Nullable(Type.String()),
        properties: Type.Unknown(),
        context: Type.Unknown(),
        occurred_at: Time,
        received_at: Time,
      }),
    ),
    conversations: Type.Array(Row, { description: 'Conversation messages, as stored' }),
    messages: Type.Array(Type.Intersect([Type.Object({ table: Type.String() }), Row]), {
      description: 'Messages sent to the person, with the table they are kept in',
    }),
    audit_log: Type.Array(
      Type.Object({
        id: Type.Integer(),
        at: Time,
        brand: Type.String(),
        action: Type.String(),
        purpose: Type.String(),
        scopes: Type.Array(Type.String()),
        fact_ids: Type.Array(Type.String()),
        call: Type.String(),
      }),
      { description: 'Every brand read and use of the data, newest first' },
    ),
    sessions: Type.Array(
      Type.Object({ label: Type.String(), created_at: Time, expires_at: Time, revoked_at: Nullable(Time) }),
    ),
    other_records: Type.Record(Type.String(), Type.Array(Row), {
      description: 'Any other table holding rows about the person, by table name',
    }),
  },
  {
    title: 'Confidant export',
    description: 'Everything Confidant holds about one person, as GET /v1/me/export streams it.',
  },
);

export const exportSchemaUrl = (publicUrl: string) => `${publicUrl.replace(/\/$/, '')}/v1/schemas/export.json`;

/** The document served at /v1/schemas/export.json. */
export const exportJsonSchema = (publicUrl: string) => ({
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: exportSchemaUrl(publicUrl),
  ...JSON.parse(JSON.stringify(ExportSchema)),
});
