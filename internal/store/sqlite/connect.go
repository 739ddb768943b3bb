package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hush-cc/hush/internal/amazonconnect"
	"github.com/hush-cc/hush/internal/store"
)

// The Store keeps the Amazon Connect adapter's state beside the
// conversations, so one file holds everything a restart needs.
var (
	_ amazonconnect.Memories    = (*Store)(nil)
	_ amazonconnect.Checkpoints = (*Store)(nil)
	_ amazonconnect.DeadLetters = (*Store)(nil)
)

// AgentMemory returns what the Connect adapter remembers about an agent and
// its version; a zero Memory and version 0 when nothing is stored.
func (s *Store) AgentMemory(ctx context.Context, agentARN string) (amazonconnect.Memory, int64, error) {
	var version int64
	var raw string
	err := s.rdb.QueryRowContext(ctx, "SELECT version, memory FROM connect_agents WHERE agent_arn = ?", agentARN).Scan(&version, &raw)
	if errors.Is(err, sql.ErrNoRows) {
		return amazonconnect.Memory{}, 0, nil
	}
	if err != nil {
		return amazonconnect.Memory{}, 0, fmt.Errorf("read memory of agent %s: %w", agentARN, err)
	}
	var m amazonconnect.Memory
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return amazonconnect.Memory{}, 0, fmt.Errorf("decode memory of agent %s: %w", agentARN, err)
	}
	return m, version, nil
}

// PutAgentMemory stores m if the stored version is still version (0: none
// stored yet); the stored version becomes version+1. Otherwise it returns
// store.ErrConflict and writes nothing.
func (s *Store) PutAgentMemory(ctx context.Context, agentARN string, m amazonconnect.Memory, version int64) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode memory of agent %s: %w", agentARN, err)
	}
	now := formatTime(time.Now())
	return s.w.do(ctx, func(t *txn) (outcome, err error) {
		var res sql.Result
		if version == 0 {
			res, err = t.conn.ExecContext(t.ctx, `INSERT INTO connect_agents (agent_arn, version, memory, updated_at)
				VALUES (?, 1, ?, ?) ON CONFLICT (agent_arn) DO NOTHING`, agentARN, string(raw), now)
		} else {
			res, err = t.conn.ExecContext(t.ctx, `UPDATE connect_agents SET version = version + 1, memory = ?, updated_at = ?
				WHERE agent_arn = ? AND version = ?`, string(raw), now, agentARN, version)
		}
		if err != nil {
			return nil, fmt.Errorf("write memory of agent %s: %w", agentARN, err)
		}
		return refusal(res, store.ErrConflict, "memory of agent "+agentARN)
	})
}

// Checkpoint returns the sequence number last recorded for a shard, or ""
// when it has none.
func (s *Store) Checkpoint(ctx context.Context, stream, shardID string) (string, error) {
	var seq string
	err := s.rdb.QueryRowContext(ctx, "SELECT seq FROM connect_checkpoints WHERE stream = ? AND shard = ?", stream, shardID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read checkpoint of %s/%s: %w", stream, shardID, err)
	}
	return seq, nil
}

// PutCheckpoint durably records seq (or amazonconnect.ShardEnd) for a shard.
func (s *Store) PutCheckpoint(ctx context.Context, stream, shardID, seq string) error {
	now := formatTime(time.Now())
	return s.w.do(ctx, func(t *txn) (outcome, err error) {
		if _, err := t.conn.ExecContext(t.ctx, `INSERT INTO connect_checkpoints (stream, shard, seq, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (stream, shard) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at`,
			stream, shardID, seq, now); err != nil {
			return nil, fmt.Errorf("write checkpoint of %s/%s: %w", stream, shardID, err)
		}
		return nil, nil
	})
}

// PutDeadLetter durably stores d; a record stored before (same stream, shard
// and sequence number) is kept as first stored.
func (s *Store) PutDeadLetter(ctx context.Context, d amazonconnect.DeadLetter) error {
	arrived := ""
	if !d.ArrivedAt.IsZero() {
		arrived = formatTime(d.ArrivedAt)
	}
	now := formatTime(time.Now())
	data := d.Data
	if data == nil {
		data = []byte{}
	}
	return s.w.do(ctx, func(t *txn) (outcome, err error) {
		if _, err := t.conn.ExecContext(t.ctx, `INSERT INTO connect_dead_letters
			(stream, shard, seq, partition_key, arrived_at, reason, error, data, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (stream, shard, seq) DO NOTHING`,
			d.Stream, d.ShardID, d.SequenceNumber, d.PartitionKey, arrived, d.Reason, d.Error, data, now); err != nil {
			return nil, fmt.Errorf("store dead letter %s/%s/%s: %w", d.Stream, d.ShardID, d.SequenceNumber, err)
		}
		return nil, nil
	})
}

// DeadLetters returns up to limit dead letters (all when limit <= 0), newest
// first.
func (s *Store) DeadLetters(ctx context.Context, limit int) ([]amazonconnect.DeadLetter, error) {
	query := `SELECT stream, shard, seq, partition_key, arrived_at, reason, error, data, at
		FROM connect_dead_letters ORDER BY id DESC`
	var args []any
	if limit > 0 {
		query += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	defer rows.Close()
	var out []amazonconnect.DeadLetter
	for rows.Next() {
		var d amazonconnect.DeadLetter
		var arrived, at string
		if err := rows.Scan(&d.Stream, &d.ShardID, &d.SequenceNumber, &d.PartitionKey, &arrived, &d.Reason, &d.Error, &d.Data, &at); err != nil {
			return nil, fmt.Errorf("list dead letters: %w", err)
		}
		if arrived != "" {
			if d.ArrivedAt, err = parseTime(arrived); err != nil {
				return nil, fmt.Errorf("dead letter %s: %w", d.SequenceNumber, err)
			}
		}
		if d.StoredAt, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("dead letter %s: %w", d.SequenceNumber, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	return out, nil
}
