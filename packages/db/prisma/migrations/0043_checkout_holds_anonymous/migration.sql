-- A hold may be anonymous (a guest's basket at a kiosk or till): without a customer it reserves coupon uses only,
-- never points or wallet cash, which belong to someone (@regulars/ledger-store, `holds/place.ts`).
-- Both statements change the catalogue only: NOT VALID skips scanning the existing rows, which all have a
-- customer; new and updated rows are checked.
ALTER TABLE checkout_holds ALTER COLUMN customer_id DROP NOT NULL;
ALTER TABLE checkout_holds ADD CONSTRAINT checkout_holds_anonymous_coupons_only
  CHECK (customer_id IS NOT NULL OR (points = 0 AND wallet = 0)) NOT VALID;
