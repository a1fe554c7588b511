-- The messaging room: how a person may be contacted, and every message a brand sends them through Confidant.
-- Every table holding a person's data leads its primary key with person_id (Citus distribution column).

-- contact_preferences moves here from conversation (030): same rows, now the messaging room's table.
-- takes over table: contact_preferences
-- Per brand (0 = every brand) and channel ('all' covers every channel). A stop (opted_out_at) and the abuse pause
-- (paused_for_abuse_at, marketing only, per brand) are separate, so lifting one never lifts the other.
CREATE TEMP TABLE contact_preferences_moved ON COMMIT DROP AS SELECT * FROM contact_preferences;
DROP TABLE contact_preferences;
CREATE TABLE contact_preferences (
  person_id uuid NOT NULL REFERENCES persons(id) ON DELETE CASCADE ON UPDATE CASCADE,
  brand_id bigint NOT NULL,
  channel text NOT NULL CHECK (channel IN ('all', 'email', 'push', 'sms', 'chat')),
  -- the person said stop (in chat, by link, by replying "stop")
  opted_out_at timestamptz,
  -- the person swore at the brand's assistant: marketing from that brand pauses until they apologise
  paused_for_abuse_at timestamptz,
  -- where the last change came from: chat, link, reply, page
  how text NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (person_id, brand_id, channel)
);
INSERT INTO contact_preferences SELECT person_id, brand_id, channel, opted_out_at, paused_for_abuse_at, how, updated_at
  FROM contact_preferences_moved;

-- The person's own settings: quiet hours (minutes after local midnight, in persons.time_zone) and preferred channel.
CREATE TABLE contact_settings (
  person_id uuid NOT NULL REFERENCES persons(id) ON DELETE CASCADE ON UPDATE CASCADE,
  quiet_start smallint NOT NULL DEFAULT 1260 CHECK (quiet_start BETWEEN 0 AND 1439),
  quiet_end smallint NOT NULL DEFAULT 480 CHECK (quiet_end BETWEEN 0 AND 1439),
  preferred_channel text CHECK (preferred_channel IN ('chat', 'email', 'push', 'webhook')),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (person_id)
);

-- Web push subscriptions of the person's browsers (the shopper's page subscribes).
CREATE TABLE push_subscriptions (
  person_id uuid NOT NULL REFERENCES persons(id) ON DELETE CASCADE ON UPDATE CASCADE,
  endpoint text NOT NULL,
  p256dh text NOT NULL,
  auth text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (person_id, endpoint)
);

-- Every message a brand asked to send, with the decision (each rule's outcome and reason) and its delivery.
-- The row is the outbox: committed with the decision, claimed with a lease by a runner, marked sent with the
-- provider's id. A lease that ran out (the process died mid-send) is claimed again and resent with the same ids.
CREATE TABLE messages (
  person_id uuid NOT NULL REFERENCES persons(id) ON DELETE CASCADE ON UPDATE CASCADE,
  message_id uuid NOT NULL,
  brand_id bigint NOT NULL REFERENCES brands(id),
  purpose text NOT NULL CHECK (purpose IN ('service', 'marketing', 'transactional')),
  -- the channel the brand asked for (null: Confidant chose) and the one chosen
  requested_channel text CHECK (requested_channel IN ('chat', 'email', 'push', 'webhook')),
  channel text CHECK (channel IN ('chat', 'email', 'push', 'webhook')),
  state text NOT NULL CHECK (state IN ('queued', 'held', 'sending', 'sent', 'suppressed', 'failed', 'dead')),
  subject text,
  text text,
  -- [{rule, outcome, reason}] in the order the rules ran
  decisions jsonb NOT NULL DEFAULT '[]',
  -- the facts the sent text references, and those the guard removed with why
  kept_facts jsonb NOT NULL DEFAULT '[]',
  removed_facts jsonb NOT NULL DEFAULT '[]',
  -- the rule that stopped it, when suppressed or dead
  suppressed_rule text,
  suppressed_reason text,
  triggered_by text,
  -- transactional messages are exempt from caps, and marked so
  cap_exempt boolean NOT NULL DEFAULT false,
  due_at timestamptz,
  held_until timestamptz,
  lease_until timestamptz,
  attempts int NOT NULL DEFAULT 0,
  last_error text,
  provider_id text,
  sent_at timestamptz,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (person_id, message_id)
);
CREATE INDEX messages_id ON messages (message_id);
-- what the runner claims: due messages, and sends whose lease ran out
CREATE INDEX messages_due ON messages (due_at) WHERE state IN ('queued', 'held', 'failed', 'sending');
-- caps count the sends of a calendar day and week
CREATE INDEX messages_sent ON messages (person_id, brand_id, channel, sent_at) WHERE state IN ('sent', 'sending');

-- Idempotency keys are the brand's: one message per brand and key. The request's hash tells a replay (same body)
-- from a misuse (another body, 422).
CREATE TABLE message_keys (
  brand_id bigint NOT NULL REFERENCES brands(id),
  idempotency_key text NOT NULL,
  request_hash text NOT NULL,
  person_id uuid NOT NULL REFERENCES persons(id) ON DELETE CASCADE ON UPDATE CASCADE,
  message_id uuid NOT NULL,
  -- the first answer, replayed to a repeat of the same request
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (brand_id, idempotency_key)
);
CREATE INDEX message_keys_person ON message_keys (person_id);

-- The server's VAPID key pair for web push, made at first start and kept (one row).
CREATE TABLE vapid_keys (
  id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  public_key text NOT NULL,
  private_key text NOT NULL,
  created_at timestamptz NOT NULL
);
