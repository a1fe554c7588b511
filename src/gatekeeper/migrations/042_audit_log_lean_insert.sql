-- An audit entry is written for every brand read, by the thousand a second. Its foreign keys locked the person's
-- row and the brand's row for each entry (every reader of a brand queued on that one row's lock); the entries are
-- written only by the gatekeeper for a person and brand it has just read, and erasure deletes them itself.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_person_id_fkey;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_brand_id_fkey;
