-- Tracking writes events by the ten thousand a second. The foreign key to brands locked the brand's one row for
-- every event, so every concurrent batch of a brand queued on that row's lock (PostgreSQL makes a multixact of the
-- lockers). Events are written only for a brand whose key was just checked. The key to persons stays: it makes an
-- erasure wait for events still being written, and cascades them.
ALTER TABLE events DROP CONSTRAINT events_brand_id_fkey;
