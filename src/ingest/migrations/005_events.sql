-- Segment-style events, keyed by person; a repeated messageId for the same person and brand is stored once.
CREATE TABLE events (
  person_id uuid NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
  brand_id bigint NOT NULL REFERENCES brands(id),
  message_id text NOT NULL,
  -- identify, track, page
  type text NOT NULL,
  event text,
  product_id text,
  properties jsonb NOT NULL DEFAULT '{}',
  context jsonb NOT NULL DEFAULT '{}',
  occurred_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (person_id, brand_id, message_id)
);
CREATE INDEX events_brand_time ON events (brand_id, occurred_at);

-- Finished imports, by content hash: a re-run of the same file is recognised and stores nothing twice.
CREATE TABLE imports (
  brand_id bigint NOT NULL REFERENCES brands(id),
  kind text NOT NULL,
  sha256 text NOT NULL,
  lines int NOT NULL,
  stored int NOT NULL,
  finished_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (brand_id, kind, sha256)
);
