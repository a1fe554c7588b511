-- Serving keeps each person's recent orders and events in memory (src/recommend/activity.ts). Every statement that
-- changes them says whose changed on the channel confidant_activity: "a:" and the person ids, or "a:*" when a statement
-- touched too many people for one notification (an import). A read's audit write sends a fence to the reading process
-- (gatekeeper/047): notifications arrive in commit order, so once the fence is back, every change committed before the
-- read was told to it.
CREATE FUNCTION notify_activity() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  people text[];
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT person_id::text) INTO people FROM (SELECT person_id FROM old_rows LIMIT 5000) x;
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT array_agg(DISTINCT person_id::text) INTO people FROM (SELECT person_id FROM old_rows UNION SELECT person_id FROM new_rows LIMIT 5000) x;
  ELSE
    SELECT array_agg(DISTINCT person_id::text) INTO people FROM (SELECT person_id FROM new_rows LIMIT 5000) x;
  END IF;
  IF people IS NULL THEN
    RETURN NULL;
  END IF;
  -- A notification holds at most 8000 bytes: 200 ids of 37.
  PERFORM pg_notify('confidant_activity', 'a:' || CASE WHEN cardinality(people) > 200 THEN '*' ELSE array_to_string(people, ',') END);
  RETURN NULL;
END $$;

CREATE TRIGGER events_activity_insert AFTER INSERT ON events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_activity();
CREATE TRIGGER events_activity_update AFTER UPDATE ON events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_activity();
CREATE TRIGGER events_activity_delete AFTER DELETE ON events REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_activity();
CREATE TRIGGER orders_activity_insert AFTER INSERT ON orders REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_activity();
CREATE TRIGGER orders_activity_update AFTER UPDATE ON orders REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_activity();
CREATE TRIGGER orders_activity_delete AFTER DELETE ON orders REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_activity();
CREATE TRIGGER order_items_activity_insert AFTER INSERT ON order_items REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_activity();
CREATE TRIGGER order_items_activity_update AFTER UPDATE ON order_items REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_activity();
CREATE TRIGGER order_items_activity_delete AFTER DELETE ON order_items REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_activity();
