-- What a person lets a brand use: person x brand x scope x purpose.
CREATE TABLE grants (
  person_id uuid NOT NULL REFERENCES persons(id) ON DELETE CASCADE ON UPDATE CASCADE,
  brand_id bigint NOT NULL REFERENCES brands(id),
  scope text NOT NULL,
  purpose text NOT NULL CHECK (purpose IN ('service', 'recommendations', 'marketing', 'analytics')),
  granted_at timestamptz NOT NULL,
  -- where it was given: chat, page, api
  how text NOT NULL,
  -- true when given for this scope alone (required for special categories); false when part of "accept all"
  explicit boolean NOT NULL,
  expires_at timestamptz,
  revoked_at timestamptz,
  PRIMARY KEY (person_id, brand_id, scope, purpose)
);

-- Every brand read of a person's data and every use of a fact for a brand. The person reads it.
CREATE TABLE audit_log (
  person_id uuid NOT NULL REFERENCES persons(id) ON DELETE CASCADE ON UPDATE CASCADE,
  entry_id bigint GENERATED ALWAYS AS IDENTITY,
  brand_id bigint NOT NULL REFERENCES brands(id),
  -- read_profile, recommendation, message, chat
  action text NOT NULL,
  purpose text NOT NULL,
  scopes text[] NOT NULL,
  fact_ids uuid[] NOT NULL DEFAULT '{}',
  call text NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (person_id, entry_id)
);
CREATE INDEX audit_log_person_time ON audit_log (person_id, at DESC, entry_id DESC);
