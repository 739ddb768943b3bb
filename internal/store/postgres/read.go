package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
)

// Conversation reads one conversation. Its Version is the stored version.
func (s *Store) Conversation(ctx context.Context, id string) (conversation.Conversation, error) {
	var version int64
	var state []byte
	err := s.pool.QueryRow(ctx, "SELECT version, state FROM conversations WHERE id = $1", id).Scan(&version, &state)
	if isNoRows(err) {
		return conversation.Conversation{}, fmt.Errorf("conversation %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return conversation.Conversation{}, fmt.Errorf("read conversation %s: %w", id, err)
	}
	return store.DecodeConversation(id, version, state)
}

// Conversations lists the conversations q selects, newest first.
func (s *Store) Conversations(ctx context.Context, q store.Query) ([]conversation.Conversation, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if q.AgentID != "" {
		where = append(where, "agent_id = "+arg(q.AgentID))
	}
	if q.ActiveOnly {
		where = append(where, "active")
	}
	if q.EndedOnly {
		where = append(where, "NOT active")
	}
	if !q.Since.IsZero() {
		where = append(where, "created_ms >= "+arg(q.Since.UnixMilli()))
	}
	if q.Before != nil {
		where = append(where, "(created_ms, id) < ("+arg(q.Before.CreatedAt.UnixMilli())+", "+arg(q.Before.ID)+")")
	}
	query := "SELECT id, version, state FROM conversations"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY created_ms DESC, id DESC"
	if q.Limit > 0 {
		query += " LIMIT " + arg(q.Limit)
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list conversations: %w", err)
	}
	return collect(rows, "list conversations", func(r pgx.CollectableRow) (conversation.Conversation, error) {
		var id string
		var version int64
		var state []byte
		if err := r.Scan(&id, &version, &state); err != nil {
			return conversation.Conversation{}, err
		}
		return store.DecodeConversation(id, version, state)
	})
}

// SessionConversation returns the id of the conversation a secure session
// was first indexed to.
func (s *Store) SessionConversation(ctx context.Context, sessionID string) (string, error) {
	var id string
	err := s.pool.QueryRow(ctx, "SELECT conversation_id FROM secure_sessions WHERE id = $1", sessionID).Scan(&id)
	if isNoRows(err) {
		return "", fmt.Errorf("secure session %s: %w", sessionID, store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("read secure session %s: %w", sessionID, err)
	}
	return id, nil
}

// EventsAfter returns up to limit events (every one for limit <= 0) with
// Seq > after, oldest first, only those of conversationID unless it is
// empty.
func (s *Store) EventsAfter(ctx context.Context, after int64, conversationID string, limit int) ([]store.Event, error) {
	query := "SELECT seq, type, conversation_id, at, data FROM events WHERE seq > $1"
	args := []any{after}
	if conversationID != "" {
		args = append(args, conversationID)
		query += " AND conversation_id = $2"
	}
	query += " ORDER BY seq"
	if limit > 0 {
		args = append(args, limit)
		query += " LIMIT $" + strconv.Itoa(len(args))
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return collect(rows, "read events", func(r pgx.CollectableRow) (store.Event, error) {
		var e store.Event
		var at string
		var data []byte
		if err := r.Scan(&e.Seq, &e.Type, &e.ConversationID, &at, &data); err != nil {
			return e, err
		}
		var err error
		if e.At, err = parseTime(at); err != nil {
			return e, fmt.Errorf("event %d: %w", e.Seq, err)
		}
		if data != nil {
			e.Data = data
		}
		return e, nil
	})
}

// LatestEventSeq returns the Seq of the newest event, 0 when there is none.
func (s *Store) LatestEventSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.pool.QueryRow(ctx, "SELECT event_seq FROM heads WHERE id = 1").Scan(&seq); err != nil {
		return 0, fmt.Errorf("read the newest event: %w", err)
	}
	return seq, nil
}

// collect reads every row with scan, wrapping errors with what.
func collect[T any](rows pgx.Rows, what string, scan func(pgx.CollectableRow) (T, error)) ([]T, error) {
	out, err := pgx.CollectRows(rows, scan)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
