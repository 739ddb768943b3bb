package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/amazonconnect"
	"github.com/hush-cc/hush/internal/store"
)

func openConnectStore(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestAgentMemoryIsVersioned(t *testing.T) {
	ctx := context.Background()
	s := openConnectStore(t, filepath.Join(t.TempDir(), FileName))
	const arn = "arn:aws:connect:us-east-1:1:instance/i/agent/ñ"
	m, v, err := s.AgentMemory(ctx, arn)
	if err != nil || v != 0 || m.LastEventAt != (time.Time{}) {
		t.Fatalf("empty memory = %+v, %d, %v", m, v, err)
	}
	at := time.Date(2026, 3, 1, 9, 0, 0, 123_000_000, time.UTC)
	m1 := amazonconnect.Memory{LastEventAt: at, RecentEvents: []string{"e1"},
		Contacts: map[string]amazonconnect.ContactMemory{"c1": {InitialContactID: "c0", OnHold: true, At: at}}}
	if err := s.PutAgentMemory(ctx, arn, m1, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.PutAgentMemory(ctx, arn, amazonconnect.Memory{}, 0); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second first write: %v, want a conflict", err)
	}
	got, v, err := s.AgentMemory(ctx, arn)
	if err != nil || v != 1 || !got.LastEventAt.Equal(at) || got.Contacts["c1"] != m1.Contacts["c1"] || !slices.Equal(got.RecentEvents, m1.RecentEvents) {
		t.Fatalf("memory = %+v, %d, %v", got, v, err)
	}
	m2 := got
	m2.RecentEvents = append(m2.RecentEvents, "e2")
	if err := s.PutAgentMemory(ctx, arn, m2, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.PutAgentMemory(ctx, arn, m1, 1); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale write: %v, want a conflict", err)
	}
	if got, v, _ := s.AgentMemory(ctx, arn); v != 2 || len(got.RecentEvents) != 2 {
		t.Fatalf("after update: %+v, %d", got, v)
	}
}

func TestCheckpointsAndDeadLettersSurviveReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if cp, err := s.Checkpoint(ctx, "events", "shardId-0"); err != nil || cp != "" {
		t.Fatalf("no checkpoint = %q, %v", cp, err)
	}
	for _, seq := range []string{"100", "205", amazonconnect.ShardEnd} {
		if err := s.PutCheckpoint(ctx, "events", "shardId-0", seq); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutCheckpoint(ctx, "events", "shardId-1", "7"); err != nil {
		t.Fatal(err)
	}
	arrived := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	d := amazonconnect.DeadLetter{Stream: "events", ShardID: "shardId-1", SequenceNumber: "8", PartitionKey: "agent",
		ArrivedAt: arrived, Data: []byte("{\"EventId\":"), Reason: "invalid-json", Error: "unexpected end of JSON input"}
	if err := s.PutDeadLetter(ctx, d); err != nil {
		t.Fatal(err)
	}
	// Offered again after a crash: kept once, as first stored.
	again := d
	again.Error = "second"
	if err := s.PutDeadLetter(ctx, again); err != nil {
		t.Fatal(err)
	}
	if err := s.PutDeadLetter(ctx, amazonconnect.DeadLetter{Stream: "events", ShardID: "shardId-1", SequenceNumber: "9", Reason: "invalid-utf8"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openConnectStore(t, path)
	if cp, _ := s.Checkpoint(ctx, "events", "shardId-0"); cp != amazonconnect.ShardEnd {
		t.Fatalf("checkpoint of shard 0 = %q", cp)
	}
	if cp, _ := s.Checkpoint(ctx, "events", "shardId-1"); cp != "7" {
		t.Fatalf("checkpoint of shard 1 = %q", cp)
	}
	dls, err := s.DeadLetters(ctx, 0)
	if err != nil || len(dls) != 2 {
		t.Fatalf("dead letters = %+v, %v", dls, err)
	}
	first := dls[1]
	if dls[0].SequenceNumber != "9" || first.Error != d.Error || string(first.Data) != string(d.Data) ||
		!first.ArrivedAt.Equal(arrived) || first.PartitionKey != "agent" || first.StoredAt.IsZero() || !dls[0].ArrivedAt.IsZero() {
		t.Fatalf("dead letters = %+v", dls)
	}
	if dls, _ := s.DeadLetters(ctx, 1); len(dls) != 1 || dls[0].SequenceNumber != "9" {
		t.Fatalf("limited = %+v", dls)
	}
}
