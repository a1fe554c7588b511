-- A messageId is a brand's, as in Segment: sent again for another userId or anonymousId it is a duplicate, not a
-- second event. Events are keyed by person (so they can be distributed by person on Citus), which cannot make
-- (brand, messageId) unique across people; this table claims each messageId of a brand once. It holds no person:
-- on Citus it is distributed by brand_id (or co-located with other brand-keyed tables), and storeMessages claims a
-- batch's ids in one statement, then writes the claimed events by person.
CREATE TABLE event_claims (
  brand_id bigint NOT NULL,
  message_id text NOT NULL,
  PRIMARY KEY (brand_id, message_id)
);
INSERT INTO event_claims (brand_id, message_id) SELECT DISTINCT brand_id, message_id FROM events;
