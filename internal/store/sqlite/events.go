package sqlite

import (
	"context"
	"fmt"

	"github.com/hush-cc/hush/internal/store"
)

// EventsAfter returns up to limit events (every one for limit <= 0) with
// Seq > after, oldest first, only those of conversationID unless it is
// empty.
func (s *Store) EventsAfter(ctx context.Context, after int64, conversationID string, limit int) ([]store.Event, error) {
	query := "SELECT seq, type, conversation_id, at, data FROM events WHERE seq > ?"
	args := []any{after}
	if conversationID != "" {
		query += " AND conversation_id = ?"
		args = append(args, conversationID)
	}
	query += " ORDER BY seq"
	if limit > 0 {
		query += " LIMIT ?"
		args = append(args, limit)
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
		if err := rows.Scan(&e.Seq, &e.Type, &e.ConversationID, &at, &data); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
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
