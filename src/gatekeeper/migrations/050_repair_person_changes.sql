-- Repair. Before migrations had checksums, 042, 045, 046 and 047 were edited after landing and the runner looked at
-- numbers only, so a data folder made in between kept an older schema: the first 042 (audit entries without their key
-- to persons), 045 as person_versions with its bump_person_versions triggers, the 047 functions, no person_changes.
-- This brings any of them to today's gatekeeper schema; on a database made from today's files it changes nothing.
-- The triggers on other rooms' tables are (re)created by their owners: 052 (people), 053 (profile).

-- person_versions (045 before e3a5d6f) and what used it; CASCADE drops its triggers on facts, grants, pseudonyms
-- and brand_customers.
DROP FUNCTION IF EXISTS bump_person_versions() CASCADE;
DROP TABLE IF EXISTS person_versions;
DROP FUNCTION IF EXISTS write_audit_entries(jsonb, boolean);

CREATE TABLE IF NOT EXISTS person_changes (
  person_id uuid NOT NULL,
  xid xid8 NOT NULL,
  PRIMARY KEY (person_id, xid)
);
-- The first person_changes (e3a5d6f) kept a time per entry; it is cleaned by horizon now.
ALTER TABLE person_changes DROP COLUMN IF EXISTS at;

CREATE OR REPLACE FUNCTION log_person_changes(people uuid[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO person_changes (person_id, xid) SELECT DISTINCT p, pg_current_xact_id() FROM unnest(people) AS p WHERE p IS NOT NULL
    ON CONFLICT DO NOTHING;
$$;

CREATE TABLE IF NOT EXISTS person_change_horizons (
  taken_at timestamptz PRIMARY KEY,
  oldest_running xid8 NOT NULL
);
CREATE OR REPLACE FUNCTION clean_person_changes() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  horizon xid8;
BEGIN
  IF NOT pg_try_advisory_xact_lock(4545002) THEN
    RETURN; -- another process is at it
  END IF;
  INSERT INTO person_change_horizons VALUES (now(), pg_snapshot_xmin(pg_current_snapshot())) ON CONFLICT DO NOTHING;
  SELECT max(oldest_running) INTO horizon FROM person_change_horizons WHERE taken_at < now() - interval '30 minutes';
  IF horizon IS NOT NULL THEN
    DELETE FROM person_changes WHERE xid < horizon;
    DELETE FROM person_change_horizons WHERE taken_at < now() - interval '30 minutes' AND oldest_running < horizon;
  END IF;
END $$;

CREATE OR REPLACE FUNCTION person_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM log_person_changes(ARRAY(SELECT person_id FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM log_person_changes(ARRAY(SELECT person_id FROM old_rows));
  ELSE
    PERFORM log_person_changes(ARRAY(SELECT person_id FROM new_rows UNION SELECT person_id FROM old_rows));
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION brand_link_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM log_person_changes(ARRAY(SELECT person_id FROM old_rows));
  ELSE
    PERFORM log_person_changes(ARRAY(
      SELECT unnest(ARRAY[o.person_id, n.person_id]) FROM old_rows o JOIN new_rows n ON n.brand_id = o.brand_id AND n.external_id = o.external_id
      WHERE n.person_id IS DISTINCT FROM o.person_id OR n.confirmed_at IS DISTINCT FROM o.confirmed_at));
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS grants_changed_insert ON grants;
DROP TRIGGER IF EXISTS grants_changed_update ON grants;
DROP TRIGGER IF EXISTS grants_changed_delete ON grants;
CREATE TRIGGER grants_changed_insert AFTER INSERT ON grants REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_changed();
CREATE TRIGGER grants_changed_update AFTER UPDATE ON grants REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_changed();
CREATE TRIGGER grants_changed_delete AFTER DELETE ON grants REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION person_changed();

-- Same signature as 047's (which read person_versions), so it is replaced in place.
CREATE OR REPLACE FUNCTION write_audit_entries(entries jsonb, no_wait boolean, fences text[]) RETURNS SETOF int LANGUAGE plpgsql AS $$
BEGIN
  IF no_wait THEN
    PERFORM set_config('synchronous_commit', 'off', true);
  END IF;
  -- A fence is "<process id>:<number>" and goes to that process's own channel.
  PERFORM pg_notify('confidant_activity_' || split_part(f, ':', 1), f) FROM (SELECT DISTINCT f FROM unnest(fences) AS f) x;
  RETURN QUERY
    -- Scalar subqueries, one index probe each: an EXISTS here is planned as a hash of the whole table.
    WITH x AS (SELECT r.*, r.snapshot IS NULL OR ((SELECT true FROM persons p WHERE p.id = r.person_id) IS NOT NULL
        AND (SELECT true FROM person_changes c WHERE c.person_id = r.person_id AND c.xid >= pg_snapshot_xmin(r.snapshot::pg_snapshot)
          AND NOT pg_visible_in_snapshot(c.xid, r.snapshot::pg_snapshot) LIMIT 1) IS NULL) AS current
      FROM jsonb_to_recordset(entries)
      AS r(i int, person_id uuid, brand_id bigint, action text, purpose text, scopes text[], fact_ids uuid[], call text, at timestamptz, snapshot text)),
    written AS (INSERT INTO audit_log (person_id, brand_id, action, purpose, scopes, fact_ids, call, at)
      SELECT x.person_id, x.brand_id, x.action, x.purpose, x.scopes, x.fact_ids, x.call, x.at FROM x WHERE x.current)
    SELECT x.i FROM x WHERE NOT x.current;
END $$;

-- The first 042 also dropped the audit entries' key to persons; it stays (an erasure waits for and cascades them).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'audit_log_person_id_fkey' AND conrelid = 'audit_log'::regclass) THEN
    DELETE FROM audit_log a WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = a.person_id);
    ALTER TABLE audit_log ADD CONSTRAINT audit_log_person_id_fkey FOREIGN KEY (person_id) REFERENCES persons(id)
      ON DELETE CASCADE ON UPDATE CASCADE;
  END IF;
END $$;
