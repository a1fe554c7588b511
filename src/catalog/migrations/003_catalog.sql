-- A brand's catalog: reference data keyed by brand (not personal data).
CREATE TABLE products (
  brand_id bigint NOT NULL REFERENCES brands(id),
  product_id text NOT NULL,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  price numeric(12,2),
  currency text NOT NULL DEFAULT 'USD',
  categories text[] NOT NULL DEFAULT '{}',
  -- ingredients, diet_labels, allergens, brand, sizes, colour...
  attributes jsonb NOT NULL DEFAULT '{}',
  complements text[] NOT NULL DEFAULT '{}',
  in_stock boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (brand_id, product_id)
);
