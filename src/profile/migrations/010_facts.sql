-- What Confidant knows about a person, each fact with its provenance. Keyed by person (Citus distribution column).
CREATE TABLE facts (
  person_id uuid NOT NULL REFERENCES persons(id) ON DELETE CASCADE ON UPDATE CASCADE,
  fact_id uuid NOT NULL DEFAULT gen_random_uuid(),
  -- 'self', or the person shopped for as the shopper names them ('dad', 'anna')
  about text NOT NULL DEFAULT 'self',
  kind text NOT NULL,
  value jsonb NOT NULL,
  -- a normalised form of the value for "is this the same fact" (e.g. size facts are one per item)
  value_key text NOT NULL,
  polarity text NOT NULL CHECK (polarity IN ('positive', 'negative')),
  source text NOT NULL CHECK (source IN ('stated', 'observed', 'imported', 'inferred')),
  -- the brand whose data it came from (observed/imported), or null for what the person said to Confidant
  source_brand_id bigint REFERENCES brands(id),
  confidence real NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
  sensitivity text NOT NULL,
  -- the grant scope that covers this fact (profile.diet, gifts, ...)
  scope text NOT NULL,
  stated_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- uses the person objected to ("too creepy"): e.g. 'marketing', 'recommendations'
  retired_uses text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (person_id, fact_id)
);
CREATE UNIQUE INDEX facts_identity ON facts (person_id, about, kind, value_key);
