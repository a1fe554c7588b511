-- Every change to what a brand may see of a person (their facts, grants, pids, brand links) is logged with the id of
-- the transaction that made it. A process keeps brand views in memory with the snapshot they were read in, and writes
-- a read's audit entry only if no change committed outside that snapshot (write_audit_entries); if one did, it reads
-- again. So a cached view is never used after a change has committed, in any process. The log is only appended to
-- (no row is ever updated), so writers of one person never wait for each other on it.
CREATE TABLE person_changes (
  person_id uuid NOT NULL,
  xid xid8 NOT NULL,
  PRIMARY KEY (person_id, xid)
);

CREATE FUNCTION log_person_changes(people uuid[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO person_changes (person_id, xid) SELECT DISTINCT p, pg_current_xact_id() FROM unnest(people) AS p WHERE p IS NOT NULL
    ON CONFLICT DO NOTHING;
$$;

-- Views are kept for a minute at most (src/gatekeeper/brand-profile.ts), so a change matters only while a view read
-- before it may still be kept. Each server process calls clean_person_changes now and then, in a statement of its own.
-- It notes the oldest transaction still running; a note half an hour old says every transaction below it had ended
-- by then, however long it ran, so their log rows can go.
CREATE TABLE person_change_horizons (
  taken_at timestamptz PRIMARY KEY,
  oldest_running xid8 NOT NULL
);
CREATE FUNCTION clean_person_changes() RETURNS void LANGUAGE plpgsql AS $$
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

CREATE FUNCTION person_changed() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- A brand customer's traits are not part of a view: only a changed person or link counts.
CREATE FUNCTION brand_link_changed() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- One trigger per table and event: a trigger with transition tables may have only one event.
CREATE TRIGGER facts_changed_insert AFTER INSERT ON facts REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_changed();
CREATE TRIGGER facts_changed_update AFTER UPDATE ON facts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_changed();
CREATE TRIGGER facts_changed_delete AFTER DELETE ON facts REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION person_changed();
CREATE TRIGGER grants_changed_insert AFTER INSERT ON grants REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_changed();
CREATE TRIGGER grants_changed_update AFTER UPDATE ON grants REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_changed();
CREATE TRIGGER grants_changed_delete AFTER DELETE ON grants REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION person_changed();
CREATE TRIGGER pseudonyms_changed_update AFTER UPDATE ON pseudonyms REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_changed();
CREATE TRIGGER pseudonyms_changed_delete AFTER DELETE ON pseudonyms REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION person_changed();
-- A new customer row can only give access, which a kept view never holds back.
CREATE TRIGGER brand_customers_changed_update AFTER UPDATE ON brand_customers REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION brand_link_changed();
CREATE TRIGGER brand_customers_changed_delete AFTER DELETE ON brand_customers REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION brand_link_changed();

-- Audit entries of brand reads, in one prepared call (its plan is kept). An entry of a read made from a kept view
-- (`snapshot` set) is written only if the person still exists and no change of theirs committed outside the snapshot;
-- the numbers of the others are returned. Written without waiting for the disk when `no_wait` (only a crash of the
-- database server itself within a fraction of a second could lose one); never so inside a caller's own transaction,
-- whose commit must stay durable. `fences` are sent to the reading processes (see 046).
CREATE FUNCTION write_audit_entries(entries jsonb, no_wait boolean, fences text[]) RETURNS SETOF int LANGUAGE plpgsql AS $$
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
