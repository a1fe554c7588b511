-- An audit entry is written for every brand read, by the thousand a second. Its foreign key to brands locked the
-- brand's one row for every entry, so every concurrent reader of a brand queued on that row's lock (PostgreSQL
-- makes a multixact of the lockers). Entries are written only by the gatekeeper for a brand it has just read.
-- The key to persons stays: it makes an erasure wait for an entry still being written, and cascades it.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_brand_id_fkey;
