-- An order's total is the sum of its lines: up to 1000 lines of up to 100000 items at up to 1e9 each, more than
-- numeric(12,2) holds (an order the schema accepts was refused by the column). numeric(20,2) holds any such sum.
ALTER TABLE orders ALTER COLUMN total TYPE numeric(20,2);
