-- The tables' owner declares the triggers on its tables: orders and their lines written, changed or deleted tell
-- serving whose activity changed (recommend/046's notify_activity, which only notifies), and rows written for the
-- suppressed stand-in person are dropped (people/021's drop_suppressed_row). First declared in recommend/046 and
-- people/021; declared here again, as they were.
DROP TRIGGER IF EXISTS orders_activity_insert ON orders;
DROP TRIGGER IF EXISTS orders_activity_update ON orders;
DROP TRIGGER IF EXISTS orders_activity_delete ON orders;
DROP TRIGGER IF EXISTS order_items_activity_insert ON order_items;
DROP TRIGGER IF EXISTS order_items_activity_update ON order_items;
DROP TRIGGER IF EXISTS order_items_activity_delete ON order_items;
DROP TRIGGER IF EXISTS orders_drop_suppressed ON orders;
DROP TRIGGER IF EXISTS shipments_drop_suppressed ON shipments;
DROP TRIGGER IF EXISTS returns_drop_suppressed ON returns;
CREATE TRIGGER orders_activity_insert AFTER INSERT ON orders REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_activity();
CREATE TRIGGER orders_activity_update AFTER UPDATE ON orders REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_activity();
CREATE TRIGGER orders_activity_delete AFTER DELETE ON orders REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_activity();
CREATE TRIGGER order_items_activity_insert AFTER INSERT ON order_items REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_activity();
CREATE TRIGGER order_items_activity_update AFTER UPDATE ON order_items REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_activity();
CREATE TRIGGER order_items_activity_delete AFTER DELETE ON order_items REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_activity();
CREATE TRIGGER orders_drop_suppressed BEFORE INSERT ON orders FOR EACH ROW
  WHEN (NEW.person_id = '00000000-0000-0000-0000-000000000000') EXECUTE FUNCTION drop_suppressed_row();
CREATE TRIGGER shipments_drop_suppressed BEFORE INSERT ON shipments FOR EACH ROW
  WHEN (NEW.person_id = '00000000-0000-0000-0000-000000000000') EXECUTE FUNCTION drop_suppressed_row();
CREATE TRIGGER returns_drop_suppressed BEFORE INSERT ON returns FOR EACH ROW
  WHEN (NEW.person_id = '00000000-0000-0000-0000-000000000000') EXECUTE FUNCTION drop_suppressed_row();
