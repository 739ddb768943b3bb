-- The platform adapters' state in the store's own terms: versioned values by
-- namespace and key, stream checkpoints, and dead letters whose description
-- the adapter encodes. The Amazon Connect adapter's tables move over as that
-- adapter now encodes them (internal/amazonconnect: memories.go,
-- deadletters.go), so a file written before reads the same.

CREATE TABLE adapter_state (
    namespace  TEXT NOT NULL,
    key        TEXT NOT NULL,
    -- version guards against two writers working from the same value.
    version    INTEGER NOT NULL,
    value      BLOB NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (namespace, key)
);

INSERT INTO adapter_state (namespace, key, version, value, updated_at)
    SELECT 'amazonconnect.memory', agent_arn, version, CAST(memory AS BLOB), updated_at FROM connect_agents;
DROP TABLE connect_agents;

ALTER TABLE connect_checkpoints RENAME TO checkpoints;
ALTER TABLE checkpoints RENAME COLUMN seq TO position;

CREATE TABLE dead_letters (
    -- id orders the dead letters: newest first is id descending.
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    namespace TEXT NOT NULL,
    key       TEXT NOT NULL,
    reason    TEXT NOT NULL,
    error     TEXT NOT NULL,
    data      BLOB NOT NULL,
    detail    TEXT NOT NULL,
    at        TEXT NOT NULL,
    UNIQUE (namespace, key)
);

-- A namespace's newest dead letters are read without a scan.
CREATE INDEX dead_letters_newest ON dead_letters (namespace, id);

INSERT INTO dead_letters (namespace, key, reason, error, data, detail, at)
    SELECT 'amazonconnect', stream || '/' || shard || '/' || seq, reason, error, data,
        CASE WHEN arrived_at = ''
            THEN json_object('stream', stream, 'shardId', shard, 'sequenceNumber', seq, 'partitionKey', partition_key)
            ELSE json_object('stream', stream, 'shardId', shard, 'sequenceNumber', seq, 'partitionKey', partition_key,
                'arrivedAt', arrived_at)
        END,
        at
    FROM connect_dead_letters ORDER BY id;
DROP TABLE connect_dead_letters;
