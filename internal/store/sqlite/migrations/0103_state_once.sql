-- A conversation's state is stored once. A write that publishes the
-- conversation's new view (a conversation.created, .updated or .ended
-- event) stores the full state in that event's row instead (state = 1); the
-- view is derived from it when the event is read, and the conversation's
-- row names the event (state_seq) instead of holding a copy. The row keeps
-- the state itself when no event holds it (state_seq 0), as every row
-- written before this migration does.
ALTER TABLE conversations ADD COLUMN state_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN state INTEGER NOT NULL DEFAULT 0;
