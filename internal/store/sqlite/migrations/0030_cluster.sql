-- Processes sharing the file say they live; leases give named work to one
-- process at a time. Times are Unix nanoseconds of the shared machine's clock.

CREATE TABLE nodes (
    id      TEXT PRIMARY KEY,
    address TEXT NOT NULL,
    seen    INTEGER NOT NULL
);

CREATE TABLE leases (
    name    TEXT PRIMARY KEY,
    holder  TEXT NOT NULL,
    expires INTEGER NOT NULL
);
