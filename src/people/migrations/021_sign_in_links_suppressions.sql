-- One-time sign-in links. Only the SHA-256 of the token is kept; a link works once, for a few minutes.
-- person_id is the person the address belongs to, or the id the person gets on first sign-in (no row in persons yet).
CREATE TABLE sign_in_links (
  person_id uuid NOT NULL,
  token_hash text NOT NULL,
  email text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (person_id, token_hash)
);
CREATE UNIQUE INDEX sign_in_links_token ON sign_in_links (token_hash);
CREATE INDEX sign_in_links_email ON sign_in_links (lower(email), created_at);

-- A brand asks its customer to link the brand to their Confidant; only the person's confirmation (with the code)
-- links them. The code is a bearer capability, so only its hash is kept. Keyed by brand: it is the brand's invitation.
CREATE TABLE link_requests (
  brand_id bigint NOT NULL REFERENCES brands(id),
  code_hash text NOT NULL,
  external_id text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  confirmed_at timestamptz,
  PRIMARY KEY (brand_id, code_hash)
);
CREATE UNIQUE INDEX link_requests_code ON link_requests (code_hash);

-- After an erasure: a keyed hash of (brand, customer id), not the data, so events the brand sends again for that
-- customer do not bring the person back. The key is random per deployment, so the hashes cannot be recomputed
-- from a list of likely customer ids without the database.
CREATE TABLE suppressions (
  brand_id bigint NOT NULL REFERENCES brands(id),
  customer_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (brand_id, customer_hash)
);
INSERT INTO server_settings (key, value) VALUES ('suppression_key', gen_random_uuid()::text || gen_random_uuid()::text) ON CONFLICT (key) DO NOTHING;
CREATE FUNCTION suppression_hash(brand_id bigint, external_id text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to((SELECT value FROM server_settings WHERE key = 'suppression_key') || E'\n' || brand_id || E'\n' || external_id, 'UTF8')), 'hex')
$$;

-- resolveCustomers maps a suppressed customer to this id (no such person exists). Rows written for it are dropped
-- here, so every ingest path (tracking, imports, orders) accepts and counts them and stores nothing.
CREATE FUNCTION drop_suppressed_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER events_drop_suppressed BEFORE INSERT ON events FOR EACH ROW
  WHEN (NEW.person_id = '00000000-0000-0000-0000-000000000000') EXECUTE FUNCTION drop_suppressed_row();
CREATE TRIGGER orders_drop_suppressed BEFORE INSERT ON orders FOR EACH ROW
  WHEN (NEW.person_id = '00000000-0000-0000-0000-000000000000') EXECUTE FUNCTION drop_suppressed_row();
CREATE TRIGGER order_items_drop_suppressed BEFORE INSERT ON order_items FOR EACH ROW
  WHEN (NEW.person_id = '00000000-0000-0000-0000-000000000000') EXECUTE FUNCTION drop_suppressed_row();
CREATE TRIGGER shipments_drop_suppressed BEFORE INSERT ON shipments FOR EACH ROW
  WHEN (NEW.person_id = '00000000-0000-0000-0000-000000000000') EXECUTE FUNCTION drop_suppressed_row();
CREATE TRIGGER returns_drop_suppressed BEFORE INSERT ON returns FOR EACH ROW
  WHEN (NEW.person_id = '00000000-0000-0000-0000-000000000000') EXECUTE FUNCTION drop_suppressed_row();
CREATE TRIGGER facts_drop_suppressed BEFORE INSERT ON facts FOR EACH ROW
  WHEN (NEW.person_id = '00000000-0000-0000-0000-000000000000') EXECUTE FUNCTION drop_suppressed_row();
