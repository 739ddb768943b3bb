-- Conversations are listed newest first, by when they started, a page at a
-- time: the start time is a column so the lists are read from an index.
ALTER TABLE conversations ADD COLUMN created_ms INTEGER NOT NULL DEFAULT 0;
UPDATE conversations SET created_ms =
    CAST(ROUND((julianday(json_extract(state, '$.createdAt')) - 2440587.5) * 86400000) AS INTEGER)
    WHERE json_extract(state, '$.createdAt') IS NOT NULL;
CREATE INDEX conversations_newest ON conversations (created_ms DESC, id DESC);
CREATE INDEX conversations_active_newest ON conversations (active, created_ms DESC, id DESC);
CREATE INDEX conversations_agent_newest ON conversations (agent_id, active, created_ms DESC, id DESC);
