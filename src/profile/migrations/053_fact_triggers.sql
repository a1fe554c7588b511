-- The tables' owner declares the triggers on its tables: a change to a person's facts is logged for the gatekeeper's
-- kept views by calling its function (gatekeeper/045, 050), and a fact written for the suppressed stand-in person is
-- dropped by people's function (people/021). First declared in gatekeeper/045 and people/021 (and, in older data
-- folders, dropped by gatekeeper/050); declared here again, as they were.
DROP TRIGGER IF EXISTS facts_changed_insert ON facts;
DROP TRIGGER IF EXISTS facts_changed_update ON facts;
DROP TRIGGER IF EXISTS facts_changed_delete ON facts;
DROP TRIGGER IF EXISTS facts_drop_suppressed ON facts;
CREATE TRIGGER facts_changed_insert AFTER INSERT ON facts REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_changed();
CREATE TRIGGER facts_changed_update AFTER UPDATE ON facts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_changed();
CREATE TRIGGER facts_changed_delete AFTER DELETE ON facts REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION person_changed();
CREATE TRIGGER facts_drop_suppressed BEFORE INSERT ON facts FOR EACH ROW
  WHEN (NEW.person_id = '00000000-0000-0000-0000-000000000000') EXECUTE FUNCTION drop_suppressed_row();
