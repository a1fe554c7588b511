-- Order lines are the bulk of an import (300k+ for one shop's year). Their foreign key cost a locked lookup of the
-- order per line and the suppression trigger a call per line; upsertOrders, the one writer of order lines, writes an
-- order and its lines together and leaves out a suppressed customer's lines itself, and erasure deletes lines
-- before orders.
ALTER TABLE order_items DROP CONSTRAINT order_items_person_id_brand_id_order_id_fkey;
DROP TRIGGER order_items_drop_suppressed ON order_items;
