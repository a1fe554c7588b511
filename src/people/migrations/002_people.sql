CREATE TABLE persons (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text,
  display_name text,
  time_zone text NOT NULL DEFAULT 'UTC',
  -- false while the person exists only as a brand's customer and has not claimed a Confidant profile.
  claimed boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX persons_email ON persons (lower(email)) WHERE email IS NOT NULL;

-- A brand's customer (its userId, or anon:<anonymousId>) and the person behind it.
-- `confirmed_at` is set only when the person confirms the link; before that the rows stay the brand's.
CREATE TABLE brand_customers (
  brand_id bigint NOT NULL REFERENCES brands(id),
  external_id text NOT NULL,
  -- Deferred so a batch can claim customer rows first and create their persons after, without races.
  person_id uuid NOT NULL REFERENCES persons(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  traits jsonb NOT NULL DEFAULT '{}',
  confirmed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (brand_id, external_id)
);
CREATE INDEX brand_customers_person ON brand_customers (person_id, brand_id);

-- The brand's pseudonymous id for a person: HMAC(secret, person, brand). Kept so a pid resolves in one lookup.
CREATE TABLE pseudonyms (
  person_id uuid NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
  brand_id bigint NOT NULL REFERENCES brands(id),
  pid text NOT NULL,
  PRIMARY KEY (person_id, brand_id)
);
CREATE UNIQUE INDEX pseudonyms_pid ON pseudonyms (brand_id, pid);

-- Shopper sessions and access tokens: only the SHA-256 of the token is stored.
CREATE TABLE sessions (
  person_id uuid NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
  token_hash text NOT NULL,
  label text NOT NULL DEFAULT 'session',
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  PRIMARY KEY (person_id, token_hash)
);
CREATE UNIQUE INDEX sessions_token ON sessions (token_hash);
