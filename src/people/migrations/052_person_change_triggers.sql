-- The tables' owner declares the triggers on its tables. A change to a person's pids or brand links is logged for the
-- gatekeeper's kept views by calling its functions (gatekeeper/045, 050); these triggers were first declared in
-- gatekeeper/045 (and, in older data folders, dropped by 050), and are declared here again, as they were.
DROP TRIGGER IF EXISTS pseudonyms_changed_update ON pseudonyms;
DROP TRIGGER IF EXISTS pseudonyms_changed_delete ON pseudonyms;
DROP TRIGGER IF EXISTS brand_customers_changed_update ON brand_customers;
DROP TRIGGER IF EXISTS brand_customers_changed_delete ON brand_customers;
-- A new customer row can only give access, which a kept view never holds back.
CREATE TRIGGER pseudonyms_changed_update AFTER UPDATE ON pseudonyms REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_changed();
CREATE TRIGGER pseudonyms_changed_delete AFTER DELETE ON pseudonyms REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION person_changed();
CREATE TRIGGER brand_customers_changed_update AFTER UPDATE ON brand_customers REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION brand_link_changed();
CREATE TRIGGER brand_customers_changed_delete AFTER DELETE ON brand_customers REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION brand_link_changed();
