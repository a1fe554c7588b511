-- Trained recommendation models, one row per brand and version: every process loads the newest version of a
-- brand into memory and swaps to a newer one when it appears. Brand-wide data (no person's facts): the users in a
-- model are person ids, and erasing a person removes them from the next version.
CREATE TABLE recommend_models (
  brand_id bigint NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  version bigint NOT NULL,
  trained_at timestamptz NOT NULL DEFAULT now(),
  -- What went in and what came out: interactions, users, items, seconds, bytes in memory.
  stats jsonb NOT NULL DEFAULT '{}',
  model bytea NOT NULL,
  PRIMARY KEY (brand_id, version)
);
