-- Retention: conversations under legal hold, and those whose recording
-- files the retention sweep has deleted. Numbered 101 to stay clear of
-- other migrations.
CREATE TABLE legal_holds (
    conversation_id TEXT PRIMARY KEY,
    since           TEXT NOT NULL,
    by              TEXT NOT NULL,
    reason          TEXT NOT NULL
);

CREATE TABLE recordings_deleted (
    conversation_id TEXT PRIMARY KEY,
    at              TEXT NOT NULL
);

CREATE INDEX events_at ON events (at);
CREATE INDEX webhook_deliveries_at ON webhook_deliveries (at);
CREATE INDEX conversations_ended ON conversations (active, updated_at);
