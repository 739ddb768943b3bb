-- The administrator's per-key switch: an agent key that may not pause or
-- resume (Dynamics 365's "Allow agents to pause and resume", per key).
ALTER TABLE api_keys ADD COLUMN no_pause INTEGER NOT NULL DEFAULT 0;
