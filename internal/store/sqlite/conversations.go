package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
)

// Conversation reads one conversation. Its Version is the stored version.
func (s *Store) Conversation(ctx context.Context, id string) (conversation.Conversation, error) {
	var version int64
	var state []byte
	err := s.q.conversation.QueryRowContext(ctx, id).Scan(&version, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return conversation.Conversation{}, fmt.Errorf("conversation %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return conversation.Conversation{}, fmt.Errorf("read conversation %s: %w", id, err)
	}
	return store.DecodeConversation(id, version, state)
}

// Conversations lists the conversations q selects, newest first, from the
// indexes on (active, created_ms, id) and (agent_id, active, created_ms, id).
func (s *Store) Conversations(ctx context.Context, q store.Query) ([]conversation.Conversation, error) {
	var where []string
	var args []any
	if q.AgentID != "" {
		where = append(where, "agent_id = ?")
		args = append(args, q.AgentID)
	}
	switch {
	case q.ActiveOnly && q.EndedOnly:
		return nil, nil
	case q.ActiveOnly:
		where = append(where, "active = 1")
	case q.EndedOnly:
		where = append(where, "active = 0")
	}
	if !q.Since.IsZero() {
		where = append(where, "created_ms >= ?")
		args = append(args, q.Since.UnixMilli())
	}
	if b := q.Before; b != nil {
		where = append(where, "(created_ms < ? OR (created_ms = ? AND id < ?))")
		ms := b.CreatedAt.UnixMilli()
		args = append(args, ms, ms, b.ID)
	}
	query := "SELECT c.id, c.version, " + stateColumn + " FROM conversations c " + stateJoin
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY created_ms DESC, id DESC"
	if q.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, q.Limit)
	}
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list conversations: %w", err)
	}
	defer rows.Close()
	var out []conversation.Conversation
	for rows.Next() {
		var id string
		var version int64
		var state []byte
		if err := rows.Scan(&id, &version, &state); err != nil {
			return nil, fmt.Errorf("list conversations: %w", err)
		}
		c, err := store.DecodeConversation(id, version, state)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list conversations: %w", err)
	}
	return out, nil
}

// SessionConversation returns the id of the conversation a secure session
// was first indexed to.
func (s *Store) SessionConversation(ctx context.Context, sessionID string) (string, error) {
	var id string
	err := s.q.session.QueryRowContext(ctx, sessionID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("secure session %s: %w", sessionID, store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("read secure session %s: %w", sessionID, err)
	}
	return id, nil
}
