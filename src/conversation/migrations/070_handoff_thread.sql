-- Where the shopper asked for a person: the brand's own chat (its id) or their own Confidant (0). The operator's
-- answer goes back to that thread, and the lead-up the operator sees is read from it.
ALTER TABLE handoffs ADD COLUMN asked_in bigint;
UPDATE handoffs SET asked_in = brand_id;
ALTER TABLE handoffs ALTER COLUMN asked_in SET NOT NULL;
