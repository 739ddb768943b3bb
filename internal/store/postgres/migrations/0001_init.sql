-- Times that audit hashes cover are kept as RFC 3339 text with nanoseconds
-- (timestamptz holds microseconds), so they read back to the exact instant.
-- Rows whose shape grows with hush (keys, webhooks, audit entries) keep
-- their whole JSON beside the columns the queries use.

CREATE TABLE conversations (
    id         TEXT PRIMARY KEY,
    agent_id   TEXT NOT NULL,
    active     BOOLEAN NOT NULL,
    version    BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    state      BYTEA NOT NULL
);
CREATE INDEX conversations_agent_active ON conversations (agent_id, active);
CREATE INDEX conversations_active ON conversations (active) WHERE active;

CREATE TABLE secure_sessions (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id)
);

-- One row serialises every writer on every node: the event sequence and
-- the audit chain advance under its lock, so sequence order is commit order.
CREATE TABLE heads (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    event_seq  BIGINT NOT NULL,
    audit_seq  BIGINT NOT NULL,
    audit_hash TEXT NOT NULL
);
INSERT INTO heads (id, event_seq, audit_seq, audit_hash) VALUES (1, 0, 0, '');

CREATE TABLE events (
    seq             BIGINT PRIMARY KEY,
    type            TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    at              TEXT NOT NULL,
    data            BYTEA
);
CREATE INDEX events_conversation ON events (conversation_id, seq);

CREATE TABLE audit (
    seq             BIGINT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    actor           TEXT NOT NULL,
    entry           BYTEA NOT NULL,
    detail          BYTEA
);
CREATE INDEX audit_conversation ON audit (conversation_id, seq);
CREATE INDEX audit_actor ON audit (actor, seq);

CREATE TABLE api_keys (
    id   TEXT PRIMARY KEY,
    hash BYTEA NOT NULL,
    data BYTEA NOT NULL
);

CREATE TABLE webhooks (
    id         TEXT PRIMARY KEY,
    cursor     BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    secret     TEXT NOT NULL,
    data       BYTEA NOT NULL
);

CREATE TABLE webhook_deliveries (
    id         BIGSERIAL PRIMARY KEY,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    data       BYTEA NOT NULL
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
