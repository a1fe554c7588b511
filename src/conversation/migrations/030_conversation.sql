-- The chat. Every table holds a person's data, so person_id leads every primary key (Citus distribution column).
-- `brand_id` 0 is the shopper's own Confidant (no brand); it is not a foreign key for that reason.

-- Every message of a conversation: the shopper's, the assistant's, and a brand operator's answer to a handoff.
CREATE TABLE conversation_messages (
  person_id uuid NOT NULL REFERENCES persons(id) ON DELETE CASCADE ON UPDATE CASCADE,
  message_id bigint GENERATED ALWAYS AS IDENTITY,
  brand_id bigint NOT NULL,
  -- shopper, assistant, operator
  role text NOT NULL CHECK (role IN ('shopper', 'assistant', 'operator')),
  text text NOT NULL,
  -- the shopper's message as understood (contract shape); null for the other roles
  understood jsonb,
  -- the assistant's offered next actions [{label, value}]
  actions jsonb NOT NULL DEFAULT '[]',
  -- the facts a reply used, with their provenance, so "why?" can be answered later
  used_facts jsonb NOT NULL DEFAULT '[]',
  at timestamptz NOT NULL,
  PRIMARY KEY (person_id, message_id)
);
CREATE INDEX conversation_messages_thread ON conversation_messages (person_id, brand_id, message_id DESC);

-- What the dialogue carries from one turn to the next: an action waiting for "yes", the facts the last
-- reply used (for "why?" and "too creepy"), the orders last talked about.
CREATE TABLE conversation_state (
  person_id uuid NOT NULL REFERENCES persons(id) ON DELETE CASCADE ON UPDATE CASCADE,
  brand_id bigint NOT NULL,
  pending jsonb,
  last_used jsonb,
  last_orders jsonb NOT NULL DEFAULT '[]',
  -- the buttons the last reply offered, with what each one means (a pressed button needs no guessing)
  offered jsonb NOT NULL DEFAULT '[]',
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (person_id, brand_id)
);

-- How a person may be contacted, per brand (0 = every brand) and channel ('all' covers every channel).
-- The messaging room reads it: a row with opted_out_at or paused_for_abuse_at set means "do not send".
CREATE TABLE contact_preferences (
  person_id uuid NOT NULL REFERENCES persons(id) ON DELETE CASCADE ON UPDATE CASCADE,
  brand_id bigint NOT NULL,
  channel text NOT NULL CHECK (channel IN ('all', 'email', 'push', 'sms', 'chat')),
  -- the person said stop (in chat or by link)
  opted_out_at timestamptz,
  -- the person swore at the assistant: marketing pauses until they apologise or ask for messages again
  paused_for_abuse_at timestamptz,
  -- where the last change came from: chat, link, page
  how text NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (person_id, brand_id, channel)
);

-- A shopper asked for a person: the brand's operators list and answer these.
CREATE TABLE handoffs (
  person_id uuid NOT NULL REFERENCES persons(id) ON DELETE CASCADE ON UPDATE CASCADE,
  handoff_id uuid NOT NULL DEFAULT gen_random_uuid(),
  brand_id bigint NOT NULL REFERENCES brands(id),
  -- open, answered
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered')),
  -- the shopper's words that asked for a person
  request text NOT NULL,
  created_at timestamptz NOT NULL,
  answered_at timestamptz,
  PRIMARY KEY (person_id, handoff_id)
);
CREATE UNIQUE INDEX handoffs_brand ON handoffs (brand_id, handoff_id);
CREATE INDEX handoffs_brand_queue ON handoffs (brand_id, status, created_at);
