-- The table's owner declares the triggers on its table: an event written, changed or deleted tells serving whose
-- activity changed (recommend/046's notify_activity, which only notifies), and an event written for the suppressed
-- stand-in person is dropped (people/021's drop_suppressed_row). First declared in recommend/046 and people/021;
-- declared here again, as they were.
DROP TRIGGER IF EXISTS events_activity_insert ON events;
DROP TRIGGER IF EXISTS events_activity_update ON events;
DROP TRIGGER IF EXISTS events_activity_delete ON events;
DROP TRIGGER IF EXISTS events_drop_suppressed ON events;
CREATE TRIGGER events_activity_insert AFTER INSERT ON events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_activity();
CREATE TRIGGER events_activity_update AFTER UPDATE ON events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_activity();
CREATE TRIGGER events_activity_delete AFTER DELETE ON events REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_activity();
CREATE TRIGGER events_drop_suppressed BEFORE INSERT ON events FOR EACH ROW
  WHEN (NEW.person_id = '00000000-0000-0000-0000-000000000000') EXECUTE FUNCTION drop_suppressed_row();
