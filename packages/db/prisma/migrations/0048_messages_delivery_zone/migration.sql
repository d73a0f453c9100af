-- The IANA zone a campaign's message was timed in at planning (`deliveryZone` of the customer's, the location's or the
-- tenant's), so the check right before sending judges quiet hours on the same clock: a sale's message planned on a New
-- York till's clock is not held on the Warsaw tenant's. Rows queued before it (and messages outside campaigns) have
-- NULL and are judged on the campaign's zone as resolved from the tenant's. A nullable column: no rewrite of the table.
ALTER TABLE messages ADD COLUMN delivery_zone text;
