-- A person's version rises in the same transaction as every change to what a brand may see of them: their facts,
-- their grants, their pids, their brand links. A process keeps brand views in memory and writes each read's audit
-- entry only if the version is still the one its view was read at; if not, it reads again. So a cached view is never
-- used after a change has committed, in any process.
CREATE TABLE person_versions (
  person_id uuid PRIMARY KEY,
  version bigint NOT NULL
);

CREATE FUNCTION bump_person_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO person_versions SELECT DISTINCT person_id, 1 FROM new_rows
      ON CONFLICT (person_id) DO UPDATE SET version = person_versions.version + 1;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO person_versions SELECT DISTINCT person_id, 1 FROM old_rows
      ON CONFLICT (person_id) DO UPDATE SET version = person_versions.version + 1;
  ELSE
    INSERT INTO person_versions SELECT person_id, 1 FROM (SELECT person_id FROM new_rows UNION SELECT person_id FROM old_rows) x
      ON CONFLICT (person_id) DO UPDATE SET version = person_versions.version + 1;
  END IF;
  RETURN NULL;
END $$;

-- One trigger per table and event: a trigger with transition tables may have only one event.
CREATE TRIGGER facts_version_insert AFTER INSERT ON facts REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_person_versions();
CREATE TRIGGER facts_version_update AFTER UPDATE ON facts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_person_versions();
CREATE TRIGGER facts_version_delete AFTER DELETE ON facts REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_person_versions();
CREATE TRIGGER grants_version_insert AFTER INSERT ON grants REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_person_versions();
CREATE TRIGGER grants_version_update AFTER UPDATE ON grants REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_person_versions();
CREATE TRIGGER grants_version_delete AFTER DELETE ON grants REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_person_versions();
CREATE TRIGGER pseudonyms_version_update AFTER UPDATE ON pseudonyms REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_person_versions();
CREATE TRIGGER pseudonyms_version_delete AFTER DELETE ON pseudonyms REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_person_versions();
-- A new customer row can only give access, which a cached view never holds back; a changed or removed one can take it.
CREATE TRIGGER brand_customers_version_update AFTER UPDATE ON brand_customers REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_person_versions();
CREATE TRIGGER brand_customers_version_delete AFTER DELETE ON brand_customers REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_person_versions();

-- Audit entries of brand reads, in one prepared call (its plan is kept; a simple query was planned every time).
-- Entries of reads made at a person version that is no longer current are left out, and their numbers returned.
-- Written without waiting for the disk when `no_wait` (only a crash of the database server itself within a fraction
-- of a second could lose one); never so inside a caller's own transaction, whose commit must stay durable.
CREATE FUNCTION write_audit_entries(entries jsonb, no_wait boolean) RETURNS SETOF int LANGUAGE plpgsql AS $$
BEGIN
  IF no_wait THEN
    PERFORM set_config('synchronous_commit', 'off', true);
  END IF;
  -- Row by row through the primary key: a join planned for a hundred rows scans the whole table.
  RETURN QUERY
    WITH x AS (SELECT r.*, r.version IS NULL OR r.version = coalesce((SELECT v.version FROM person_versions v WHERE v.person_id = r.person_id), 0) AS current
      FROM jsonb_to_recordset(entries)
      AS r(i int, person_id uuid, brand_id bigint, action text, purpose text, scopes text[], fact_ids uuid[], call text, at timestamptz, version bigint)),
    written AS (INSERT INTO audit_log (person_id, brand_id, action, purpose, scopes, fact_ids, call, at)
      SELECT x.person_id, x.brand_id, x.action, x.purpose, x.scopes, x.fact_ids, x.call, x.at FROM x WHERE x.current)
    SELECT x.i FROM x WHERE NOT x.current;
END $$;
