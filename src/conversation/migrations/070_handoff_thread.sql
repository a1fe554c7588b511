-- Where the shopper asked for a person: their own Confidant (0), or the brand's own chat (the brand's id, or NULL for
-- handoffs made before this column). The operator's answer goes back to that thread, and the lead-up the operator
-- sees is read from it.
ALTER TABLE handoffs ADD COLUMN asked_in bigint;
