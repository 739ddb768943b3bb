-- Conversations are listed newest first by their start, in milliseconds.
ALTER TABLE conversations ADD COLUMN created_ms BIGINT NOT NULL DEFAULT 0;
CREATE INDEX conversations_newest ON conversations (created_ms DESC, id DESC);
CREATE INDEX conversations_agent_newest ON conversations (agent_id, created_ms DESC, id DESC);
