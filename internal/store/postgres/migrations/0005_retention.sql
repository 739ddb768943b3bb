-- Retention: conversations under legal hold, those whose recording files
-- the sweep deleted, and the times the sweep compares.
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

ALTER TABLE webhook_deliveries ADD COLUMN at TIMESTAMPTZ NOT NULL DEFAULT now();
CREATE INDEX webhook_deliveries_at ON webhook_deliveries (at);
