-- The tries of a window still being answered (`reserveMisses` in @regulars/checkout-store), counted in `misses` as
-- well until they are settled: a checkout refused only because the key's other checkouts in flight fill its limit is
-- told to come back in a second, not when the window ends (up to ten minutes), for guesses the key never made.
ALTER TABLE coupon_code_misses ADD COLUMN in_flight integer NOT NULL DEFAULT 0;
