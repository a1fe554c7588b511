CREATE TABLE orders (
  person_id uuid NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
  brand_id bigint NOT NULL REFERENCES brands(id),
  order_id text NOT NULL,
  -- placed, shipped, delivered, cancelled, returned
  status text NOT NULL DEFAULT 'placed',
  placed_at timestamptz NOT NULL,
  total numeric(12,2) NOT NULL DEFAULT 0,
  currency text NOT NULL DEFAULT 'USD',
  payment_method text,
  payment_status text NOT NULL DEFAULT 'paid',
  delivery_option text NOT NULL DEFAULT 'standard',
  shipping_address jsonb,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (person_id, brand_id, order_id)
);
CREATE INDEX orders_brand_order ON orders (brand_id, order_id);

CREATE TABLE order_items (
  person_id uuid NOT NULL,
  brand_id bigint NOT NULL,
  order_id text NOT NULL,
  line_no int NOT NULL,
  product_id text NOT NULL,
  name text NOT NULL,
  quantity int NOT NULL,
  unit_price numeric(12,2) NOT NULL DEFAULT 0,
  -- ok, cancelled, returned
  status text NOT NULL DEFAULT 'ok',
  PRIMARY KEY (person_id, brand_id, order_id, line_no),
  FOREIGN KEY (person_id, brand_id, order_id) REFERENCES orders ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE shipments (
  person_id uuid NOT NULL,
  brand_id bigint NOT NULL,
  shipment_id text NOT NULL,
  order_id text NOT NULL,
  carrier text NOT NULL,
  service text,
  tracking_number text,
  tracking_url text,
  -- label_created, in_transit, out_for_delivery, delivered, exception
  status text NOT NULL DEFAULT 'in_transit',
  shipped_at timestamptz,
  window_start timestamptz,
  window_end timestamptz,
  delivered_at timestamptz,
  PRIMARY KEY (person_id, brand_id, shipment_id),
  FOREIGN KEY (person_id, brand_id, order_id) REFERENCES orders ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE returns (
  person_id uuid NOT NULL,
  brand_id bigint NOT NULL,
  return_id text NOT NULL,
  order_id text NOT NULL,
  line_nos int[] NOT NULL,
  reason text,
  -- requested, received, refunded, rejected
  status text NOT NULL DEFAULT 'requested',
  refund_amount numeric(12,2),
  refund_status text NOT NULL DEFAULT 'pending',
  created_at timestamptz NOT NULL DEFAULT now(),
  refunded_at timestamptz,
  PRIMARY KEY (person_id, brand_id, return_id),
  FOREIGN KEY (person_id, brand_id, order_id) REFERENCES orders ON DELETE CASCADE ON UPDATE CASCADE
);
