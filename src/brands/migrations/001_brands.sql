-- Server-wide settings (the HMAC secret for pseudonymous ids lives here so every process agrees).
CREATE TABLE server_settings (
  key text PRIMARY KEY,
  value text NOT NULL
);

-- Brands are reference data: small, read everywhere, keyed by their own id.
CREATE TABLE brands (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name text NOT NULL,
  -- The write key is public (it sits in browsers, like Segment's), so it is stored as is.
  write_key text NOT NULL UNIQUE,
  -- Secret keys are server-to-server credentials: only their SHA-256 is kept.
  secret_key_hash text NOT NULL UNIQUE,
  webhook_url text,
  created_at timestamptz NOT NULL DEFAULT now()
);
