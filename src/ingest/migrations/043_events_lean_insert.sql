-- Tracking writes events by the ten thousand a second. Their foreign keys locked the person's row and the brand's
-- row for each event (every concurrent batch of a brand queued on that one row's lock); events are written only
-- for persons just resolved from the brand's customer ids, and erasure and the merge of a linked customer delete
-- or move them themselves.
ALTER TABLE events DROP CONSTRAINT events_person_id_fkey;
ALTER TABLE events DROP CONSTRAINT events_brand_id_fkey;
