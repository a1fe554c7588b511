DROP FUNCTION write_audit_entries(jsonb, boolean);

-- Audit entries of brand reads (045), now also sending the readers' fences (see 046): a fence arrives at its process,
-- on the process's own channel, after every change committed before the read.
-- Entries of reads made at a person version that is no longer current are left out, and their numbers returned.
-- Written without waiting for the disk when `no_wait` (only a crash of the database server itself within a fraction
-- of a second could lose one); never so inside a caller's own transaction, whose commit must stay durable.
CREATE FUNCTION write_audit_entries(entries jsonb, no_wait boolean, fences text[]) RETURNS SETOF int LANGUAGE plpgsql AS $$
BEGIN
  IF no_wait THEN
    PERFORM set_config('synchronous_commit', 'off', true);
  END IF;
  -- A fence is "<process id>:<number>" and goes to that process's own channel.
  PERFORM pg_notify('confidant_activity_' || split_part(f, ':', 1), f) FROM (SELECT DISTINCT f FROM unnest(fences) AS f) x;
  -- Row by row through the primary key: a join planned for a hundred rows scans the whole table.
  RETURN QUERY
    WITH x AS (SELECT r.*, r.version IS NULL OR r.version = coalesce((SELECT v.version FROM person_versions v WHERE v.person_id = r.person_id), 0) AS current
      FROM jsonb_to_recordset(entries)
      AS r(i int, person_id uuid, brand_id bigint, action text, purpose text, scopes text[], fact_ids uuid[], call text, at timestamptz, version bigint)),
    written AS (INSERT INTO audit_log (person_id, brand_id, action, purpose, scopes, fact_ids, call, at)
      SELECT x.person_id, x.brand_id, x.action, x.purpose, x.scopes, x.fact_ids, x.call, x.at FROM x WHERE x.current)
    SELECT x.i FROM x WHERE NOT x.current;
END $$;
