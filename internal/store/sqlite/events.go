package sqlite

import (
	"context"
	"fmt"

	"github.com/hush-cc/hush/internal/store"
)

// EventsAfter returns up to limit events (every one for limit <= 0) with
// Seq > after, oldest first, only those of conversationID unless it is
// empty. A conversation's events are read by walking its chain back from
// its newest event (migration 0102); the walk ends at the first event
// retention deleted, and retention deletes a conversation's events oldest
// first.
func (s *Store) EventsAfter(ctx context.Context, after int64, conversationID string, limit int) ([]store.Event, error) {
	query := "SELECT seq, type, conversation_id, at, data, state FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2"
	args := []any{after, -1}
	if limit > 0 {
		args[1] = limit
	}
	if conversationID != "" {
		query = `WITH RECURSIVE chain(seq) AS (
				SELECT event_head FROM conversations WHERE id = ?3
				UNION ALL
				SELECT e.conv_prev FROM events e JOIN chain ON e.seq = chain.seq
				WHERE e.conv_prev > ?1 AND e.conv_prev < e.seq)
			SELECT seq, type, conversation_id, at, data, state FROM events
			WHERE seq IN chain AND seq > ?1 AND conversation_id = ?3 ORDER BY seq LIMIT ?2`
		args = append(args, conversationID)
	}
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	var out []store.Event
	for rows.Next() {
		var e store.Event
		var at string
		var data []byte
		var state bool
		if err := rows.Scan(&e.Seq, &e.Type, &e.ConversationID, &at, &data, &state); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		if state {
			if data, err = viewOf(e.Seq, data); err != nil {
				return nil, err
			}
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("read event %d: %w", e.Seq, err)
		}
		if data != nil {
			e.Data = data
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return out, nil
}

// LatestEventSeq returns the Seq of the newest event, 0 when there is none.
func (s *Store) LatestEventSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.rdb.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) FROM events").Scan(&seq); err != nil {
		return 0, fmt.Errorf("read the newest event: %w", err)
	}
	return seq, nil
}
