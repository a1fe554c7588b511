-- Serving keeps each person's recent orders and events in memory (src/recommend/activity.ts). Every statement that
-- changes them says whose changed on the channel confidant_activity: "a:" and up to 200 person ids a notification, or
-- "a:*" when a statement touched more than 2,000 people (an import). A read's audit write sends a fence to the reading
-- process (gatekeeper/045): notifications arrive in commit order, so once the fence is back, every change committed
-- before the read was told to it.
CREATE FUNCTION notify_activity() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  people text[];
BEGIN
  IF TG_OP = 'DELETE' THEN
    people := ARRAY(SELECT DISTINCT person_id::text FROM old_rows LIMIT 2001);
  ELSIF TG_OP = 'UPDATE' THEN
    people := ARRAY(SELECT person_id::text FROM old_rows UNION SELECT person_id::text FROM new_rows LIMIT 2001);
  ELSE
    people := ARRAY(SELECT DISTINCT person_id::text FROM new_rows LIMIT 2001);
  END IF;
  IF cardinality(people) = 0 THEN
    RETURN NULL;
  ELSIF cardinality(people) > 2000 THEN
    PERFORM pg_notify('confidant_activity', 'a:*');
    RETURN NULL;
  END IF;
  -- A notification holds at most 8000 bytes: 200 ids of 37.
  FOR chunk IN 0 .. (cardinality(people) - 1) / 200 LOOP
    PERFORM pg_notify('confidant_activity', 'a:' || array_to_string(people[chunk * 200 + 1 : chunk * 200 + 200], ','));
  END LOOP;
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
