-- Key lifecycle: display names, expiry, revocation; the actor's display
-- name on audit entries. Numbered 100 to stay clear of other migrations.
ALTER TABLE api_keys ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE api_keys ADD COLUMN expires_at TEXT NOT NULL DEFAULT '';
ALTER TABLE api_keys ADD COLUMN revoked_at TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN actor_name TEXT NOT NULL DEFAULT '';
