-- The key to persons checked (and share-locked) the person's row once per event: a batch of 100 events of a few
-- customers made 100 lookups. storeMessages now share-locks each distinct person of a batch once, which makes an
-- erasure (or a link merge) wait for events still being written just as the key did; the erasure, and the merge,
-- then delete the events committed late themselves, after the person's row is gone.
ALTER TABLE events DROP CONSTRAINT events_person_id_fkey;
