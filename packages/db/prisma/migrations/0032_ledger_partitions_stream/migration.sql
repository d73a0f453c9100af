-- Which transactions stream a partition's position counts in: the stream's creation time as JetStream reports it. A
-- stream made anew numbers its messages from 1 again, so a position of the old one would lie ahead of every new sale
-- (never read, and a backlog of 0). A ledger worker that finds another stream here reads the new one from its start;
-- a position with none (before this column) is taken to be of the stream in use.
ALTER TABLE ledger_partitions ADD COLUMN stream_created text;
