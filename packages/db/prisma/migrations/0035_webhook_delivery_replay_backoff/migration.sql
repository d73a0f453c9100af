-- A replay starts a delivery's backoff over: the wait after a failure follows the attempts made since the replay
-- (`attempts - attempts_before_window`), not every attempt it ever had, so a delivery that died after a day of
-- retries and was replayed waits seconds after its next failure, not hours. `attempts` stays the total the admin
-- reads and the guard each claim's result is written under. A constant default: no rewrite of the table.
ALTER TABLE webhook_deliveries ADD COLUMN attempts_before_window integer NOT NULL DEFAULT 0;
