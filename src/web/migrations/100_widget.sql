-- The embeddable chat's settings per brand, and the widget's own counters. Neither holds a person's data:
-- the counters are per brand and day only (recommendations shown and clicked in the widget).

CREATE TABLE widget_settings (
  brand_id bigint PRIMARY KEY REFERENCES brands(id) ON DELETE CASCADE,
  -- Origins (scheme://host[:port]) whose pages may call the widget's API; the server's own origin always may.
  allowed_origins text[] NOT NULL DEFAULT '{}',
  -- position (right|left), accent colour (#rrggbb), language (en|de|fr|es...), greeting
  settings jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE widget_counters (
  brand_id bigint NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  day date NOT NULL,
  -- recommendation_shown, recommendation_clicked
  kind text NOT NULL CHECK (kind IN ('recommendation_shown', 'recommendation_clicked')),
  n bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (brand_id, day, kind)
);
