-- An order id is unique per brand: sent again for another customer it is refused (409), not stored as a second order.
-- Orders are keyed by person (distributable by person on Citus), so the uniqueness lives here: each order id of a
-- brand is claimed once, which makes two writers of one new order id for two customers take turns (the second then
-- finds the first's order and is refused). The claim holds no person: on Citus it is distributed by brand_id.
CREATE TABLE order_claims (
  brand_id bigint NOT NULL,
  order_id text NOT NULL,
  PRIMARY KEY (brand_id, order_id)
);
INSERT INTO order_claims (brand_id, order_id) SELECT DISTINCT brand_id, order_id FROM orders;
