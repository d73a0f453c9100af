-- An inactivity expiry takes a customer's whole balance in one movement, aimed at no lot: what it took from each lot is
-- recorded on the lot, so a refund of the lot's sale does not take those points a second time. A lot loses its points
-- to at most one such expiry (a lot is never refilled). Lots expired before this carry none, and count as before.
ALTER TABLE point_lots ADD COLUMN inactivity_expired bigint, ADD COLUMN inactivity_expiry_key text;
