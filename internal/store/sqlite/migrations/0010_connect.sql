-- Amazon Connect adapter state: what it remembers per agent, where it is in
-- each Kinesis shard, and the records it could not apply.

CREATE TABLE connect_agents (
    agent_arn  TEXT PRIMARY KEY,
    -- version guards against two writers planning from the same memory.
    version    INTEGER NOT NULL,
    memory     TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE connect_checkpoints (
    stream     TEXT NOT NULL,
    shard      TEXT NOT NULL,
    seq        TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (stream, shard)
);

CREATE TABLE connect_dead_letters (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    stream        TEXT NOT NULL,
    shard         TEXT NOT NULL,
    seq           TEXT NOT NULL,
    partition_key TEXT NOT NULL,
    arrived_at    TEXT NOT NULL,
    reason        TEXT NOT NULL,
    error         TEXT NOT NULL,
    data          BLOB NOT NULL,
    at            TEXT NOT NULL,
    UNIQUE (stream, shard, seq)
);
