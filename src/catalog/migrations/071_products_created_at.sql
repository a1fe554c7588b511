-- When a product first came into the catalog ("what's new?" lists the newest). Updates leave it as it was.
ALTER TABLE products ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
