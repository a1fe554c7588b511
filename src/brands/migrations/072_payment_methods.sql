-- How a shop takes payment, in its own words ("Visa", "PayPal", "cash on pickup"): "how do I pay?" lists them.
-- NULL: the shop has not said, and the chat says it can't see them.
ALTER TABLE brands ADD COLUMN payment_methods text[];
