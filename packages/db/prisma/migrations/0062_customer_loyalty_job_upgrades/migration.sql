-- The upgrades the tier job made (`applyTierUpgrades` in @regulars/ledger-store, once per programme version that puts
-- a member above the tier held), as a sale records its own in `transactions.effects->'tier'`: the tier it came
-- from and since when, the tier given and the reward paid for it. A refund's chain of upgrades in force
-- (`upgradesInForce` in @regulars/rules) walks through them to the sales below, so a refund that leaves neither
-- backed takes back both; without the record it stopped at the job's tier and kept the sale's upgrade and both
-- rewards, unlike the same refund made before the job ran. Rows from before have none: their job upgrades stay
-- where a refund stops, as they did.
ALTER TABLE customer_loyalty ADD COLUMN job_upgrades jsonb NOT NULL DEFAULT '[]';
