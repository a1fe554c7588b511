-- Standard Webhooks signing secret (whsec_...) for the brand's webhook_url. Kept as is: it signs every delivery.
ALTER TABLE brands ADD COLUMN webhook_secret text;

-- One erasure of a person: the receipt. While it runs, `notify` holds what linked brands will be told (their own
-- customer ids and the pid they know); it is emptied once the notifications are queued. Nothing else of the person.
CREATE TABLE erasures (
  person_id uuid NOT NULL,
  erasure_id uuid NOT NULL,
  requested_at timestamptz NOT NULL,
  completed_at timestamptz,
  counts jsonb NOT NULL DEFAULT '{}',
  notify jsonb NOT NULL DEFAULT '[]',
  brands_notified int NOT NULL DEFAULT 0,
  PRIMARY KEY (person_id, erasure_id)
);
CREATE UNIQUE INDEX erasures_id ON erasures (erasure_id);
