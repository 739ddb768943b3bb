-- The event log and the audit chain are written in seq order only: each
-- command appends to the end of both tables and dirties no page elsewhere.
-- A conversation's (or an actor's) entries are found by walking back from
-- its newest entry: every row names the previous row of its conversation
-- (conv_prev) and, in the audit, of its actor (actor_prev); 0 ends a chain.
-- The newest event and audit entry of a conversation are kept in its own row,
-- which every command rewrites anyway; actors' newest entries, and those of
-- audit entries naming a conversation that has no row, in audit_heads. The
-- indexes on (conversation_id, seq) and (actor, seq) this replaces put
-- every entry at a random page.

ALTER TABLE conversations ADD COLUMN event_head INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN audit_head INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN conv_prev INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit ADD COLUMN conv_prev INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit ADD COLUMN actor_prev INTEGER NOT NULL DEFAULT 0;

-- key is 'a:' and an actor, or 'c:' and a conversation id.
CREATE TABLE audit_heads (
    key TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
) WITHOUT ROWID;

UPDATE events SET conv_prev = p.prev
    FROM (SELECT seq, LAG(seq, 1, 0) OVER (PARTITION BY conversation_id ORDER BY seq) AS prev
        FROM events WHERE conversation_id != '') AS p
    WHERE events.seq = p.seq;
UPDATE audit SET conv_prev = p.prev
    FROM (SELECT seq, LAG(seq, 1, 0) OVER (PARTITION BY conversation_id ORDER BY seq) AS prev
        FROM audit WHERE conversation_id != '') AS p
    WHERE audit.seq = p.seq;
UPDATE audit SET actor_prev = p.prev
    FROM (SELECT seq, LAG(seq, 1, 0) OVER (PARTITION BY actor ORDER BY seq) AS prev FROM audit) AS p
    WHERE audit.seq = p.seq;

UPDATE conversations SET event_head = h.seq
    FROM (SELECT conversation_id, MAX(seq) AS seq FROM events GROUP BY conversation_id) AS h
    WHERE conversations.id = h.conversation_id;
UPDATE conversations SET audit_head = h.seq
    FROM (SELECT conversation_id, MAX(seq) AS seq FROM audit GROUP BY conversation_id) AS h
    WHERE conversations.id = h.conversation_id;
INSERT INTO audit_heads (key, seq)
    SELECT 'c:' || conversation_id, MAX(seq) FROM audit
    WHERE conversation_id != '' AND conversation_id NOT IN (SELECT id FROM conversations)
    GROUP BY conversation_id;
INSERT INTO audit_heads (key, seq) SELECT 'a:' || actor, MAX(seq) FROM audit GROUP BY actor;

DROP INDEX events_conversation;
DROP INDEX audit_conversation;
DROP INDEX audit_actor;

-- Every list of conversations reads one of the *_newest indexes; these two
-- are their prefixes.
DROP INDEX conversations_active;
DROP INDEX conversations_agent_active;

-- The retention sweep reads ended conversations by their last change. An
-- index over live ones too would move an entry on every command.
DROP INDEX conversations_ended;
CREATE INDEX conversations_ended ON conversations (updated_at) WHERE active = 0;
