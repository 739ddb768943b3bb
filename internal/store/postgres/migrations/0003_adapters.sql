-- The platform adapters' state in the store's own terms: versioned values by
-- namespace and key, stream checkpoints, and dead letters.

CREATE TABLE adapter_state (
    namespace TEXT NOT NULL,
    key       TEXT NOT NULL,
    version   BIGINT NOT NULL,
    value     BYTEA NOT NULL,
    PRIMARY KEY (namespace, key)
);

CREATE TABLE checkpoints (
    stream   TEXT NOT NULL,
    shard    TEXT NOT NULL,
    position TEXT NOT NULL,
    PRIMARY KEY (stream, shard)
);

CREATE TABLE dead_letters (
    id        BIGSERIAL PRIMARY KEY,
    namespace TEXT NOT NULL,
    key       TEXT NOT NULL,
    reason    TEXT NOT NULL,
    error     TEXT NOT NULL,
    data      BYTEA NOT NULL,
    detail    BYTEA,
    at        TEXT NOT NULL,
    UNIQUE (namespace, key)
);
CREATE INDEX dead_letters_newest ON dead_letters (namespace, id);
