-- Campaigns and triggers: what a brand sends through the messaging room, to whom, and what became of each send.

-- A campaign: one template to a segment, sent at a time. Brand data (no person in it).
CREATE TABLE campaigns (
  brand_id bigint NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  campaign_id uuid NOT NULL DEFAULT gen_random_uuid(),
  name text NOT NULL,
  -- marketing or service (a campaign is never transactional)
  purpose text NOT NULL CHECK (purpose IN ('marketing', 'service')),
  -- null: Confidant picks the person's preferred channel
  channel text,
  -- {"subject"?: "...", "variants": ["...", ...]}: the messaging room's template
  template jsonb NOT NULL,
  -- the filter over granted facts, recent activity and channel (segment.ts)
  segment jsonb NOT NULL,
  send_at timestamptz NOT NULL,
  -- scheduled, sending, sent, cancelled
  state text NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'sending', 'sent', 'cancelled')),
  created_at timestamptz NOT NULL,
  started_at timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (brand_id, campaign_id)
);
CREATE INDEX campaigns_due ON campaigns (send_at) WHERE state IN ('scheduled', 'sending');

-- Each person a campaign went to, and the messaging room's answer (queued, held, suppressed with the rule).
CREATE TABLE campaign_recipients (
  person_id uuid NOT NULL REFERENCES persons(id) ON DELETE CASCADE ON UPDATE CASCADE,
  campaign_id uuid NOT NULL,
  brand_id bigint NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  message_id uuid NOT NULL,
  state text NOT NULL,
  rule text,
  at timestamptz NOT NULL,
  PRIMARY KEY (person_id, campaign_id)
);
CREATE INDEX campaign_recipients_campaign ON campaign_recipients (campaign_id);

-- Which triggers a brand switched on (all are off until it does), and when each last looked at its data.
CREATE TABLE trigger_settings (
  brand_id bigint NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  trigger text NOT NULL,
  enabled boolean NOT NULL,
  last_run_at timestamptz,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (brand_id, trigger)
);

-- A trigger fired for a person once per window (the shipment, the product and its price, the birthday's year, the
-- cart): the key that makes it fire once, and what the messaging room answered.
CREATE TABLE trigger_firings (
  person_id uuid NOT NULL REFERENCES persons(id) ON DELETE CASCADE ON UPDATE CASCADE,
  brand_id bigint NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  trigger text NOT NULL,
  window_key text NOT NULL,
  message_id uuid NOT NULL,
  state text NOT NULL,
  rule text,
  fired_at timestamptz NOT NULL,
  PRIMARY KEY (person_id, brand_id, trigger, window_key)
);

-- The price and stock of products someone wished for, as last seen, so a change can be noticed. Brand data.
CREATE TABLE watched_products (
  brand_id bigint NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  product_id text NOT NULL,
  price numeric(12, 2),
  in_stock boolean NOT NULL,
  seen_at timestamptz NOT NULL,
  PRIMARY KEY (brand_id, product_id)
);
