-- Nodes sharing the database say they live; leases give named work (a
-- Kinesis shard, the reconciler's sweep) to one node at a time. Both use
-- the database's clock.

CREATE TABLE nodes (
    id      TEXT PRIMARY KEY,
    address TEXT NOT NULL,
    seen    TIMESTAMPTZ NOT NULL
);

CREATE TABLE leases (
    name    TEXT PRIMARY KEY,
    holder  TEXT NOT NULL,
    expires TIMESTAMPTZ NOT NULL
);
