-- Repair: a data folder made while 046 was still being edited has an earlier notify_activity (one notification per
-- statement, cut at 5000 people). Today's body; on a database made from today's files it changes nothing.
-- The triggers that call it are (re)created by the tables' owners: 054 (ingest), 055 (orders).
CREATE OR REPLACE FUNCTION notify_activity() RETURNS trigger LANGUAGE plpgsql AS $$
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
