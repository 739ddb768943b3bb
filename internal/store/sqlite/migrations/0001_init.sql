-- Times are TEXT in RFC 3339 with nanoseconds, UTC, so they read back to the
-- exact instant the audit hashes were computed over.

CREATE TABLE conversations (
    id         TEXT PRIMARY KEY,
    agent_id   TEXT NOT NULL,
    active     INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    state      TEXT NOT NULL
);
CREATE INDEX conversations_agent_active ON conversations (agent_id, active);
CREATE INDEX conversations_active ON conversations (active);

CREATE TABLE secure_sessions (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id)
);

CREATE TABLE events (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    type            TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    at              TEXT NOT NULL,
    data            BLOB
);
CREATE INDEX events_conversation ON events (conversation_id, seq);

CREATE TABLE audit (
    seq             INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    actor           TEXT NOT NULL,
    action          TEXT NOT NULL,
    capability      TEXT NOT NULL,
    reason          TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    detail          BLOB,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL
);
CREATE INDEX audit_conversation ON audit (conversation_id, seq);
CREATE INDEX audit_actor ON audit (actor, seq);

-- The chain head is kept apart from the entries so that deleting the newest
-- entries is caught.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    hash       BLOB NOT NULL,
    role       TEXT NOT NULL,
    agent_id   TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE webhooks (
    id         TEXT PRIMARY KEY,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    types      TEXT NOT NULL,
    cursor     INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id  TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_seq   INTEGER NOT NULL,
    attempt     INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    error       TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
