package sqlite

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/amazonconnect"
)

func TestAdapterStateSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := dbPath(t)
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutAdapterState(ctx, "ns", "k", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	if err := s.PutCheckpoint(ctx, "events", "shardId-0", "7"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, path)
	if v, ver, err := s.AdapterState(ctx, "ns", "k"); err != nil || string(v) != "v" || ver != 1 {
		t.Fatalf("state after reopen: %q, %d, %v", v, ver, err)
	}
	if pos, err := s.Checkpoint(ctx, "events", "shardId-0"); err != nil || pos != "7" {
		t.Fatalf("checkpoint after reopen: %q, %v", pos, err)
	}
}

// A file written when the store kept the Amazon Connect adapter's tables
// reads the same through the adapter after the migration to the store's
// own terms: the migration encodes the data as the adapter does.
func TestConnectTablesMigrateToAdapterState(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	db := rawDB(t, path)
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	exec(t, db, `CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`)
	for _, m := range ms {
		if m.version > 10 {
			break
		}
		exec(t, db, m.sql)
		exec(t, db, "INSERT INTO schema_version VALUES (?, ?, ?)", m.version, m.name, formatTime(t0))
	}
	const arn = "arn:aws:connect:us-east-1:1:instance/i/agent/ñ"
	at := time.Date(2026, 3, 1, 9, 0, 0, 123_000_000, time.UTC)
	mem := amazonconnect.Memory{LastEventAt: at, RecentEvents: []string{"e1", "e2"},
		Contacts: map[string]amazonconnect.ContactMemory{"c1": {InitialContactID: "c0", OnHold: true, At: at}}}
	exec(t, db, `INSERT INTO connect_agents VALUES (?, 3, ?, ?)`, arn,
		`{"lastEventAt":"2026-03-01T09:00:00.123Z","contacts":{"c1":{"initialContactId":"c0","onHold":true,"at":"2026-03-01T09:00:00.123Z"}},"recentEvents":["e1","e2"]}`,
		formatTime(t0))
	exec(t, db, `INSERT INTO connect_checkpoints VALUES ('events', 'shardId-0', 'SHARD_END', ?), ('events', 'shardId-1', '205', ?)`,
		formatTime(t0), formatTime(t0))
	exec(t, db, `INSERT INTO connect_dead_letters (stream, shard, seq, partition_key, arrived_at, reason, error, data, at)
		VALUES ('events', 'shardId-1', '8', 'agent', ?, 'invalid-json', 'unexpected end', X'7B22', ?),
		       ('events', 'shardId-1', '9', '', '', 'invalid-utf8', 'bad', X'FF', ?)`,
		formatTime(at), formatTime(t0), formatTime(t0.Add(time.Second)))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s := open(t, path)
	got, version, err := amazonconnect.LoadMemory(ctx, s, arn)
	if err != nil || version != 3 || !got.LastEventAt.Equal(mem.LastEventAt) || !reflect.DeepEqual(got.RecentEvents, mem.RecentEvents) ||
		got.Contacts["c1"].InitialContactID != "c0" || !got.Contacts["c1"].OnHold || !got.Contacts["c1"].At.Equal(at) {
		t.Fatalf("memory after the migration: %+v, %d, %v", got, version, err)
	}
	if err := amazonconnect.SaveMemory(ctx, s, arn, mem, 3); err != nil {
		t.Fatalf("the migrated version guards the next write: %v", err)
	}
	for shard, want := range map[string]string{"shardId-0": amazonconnect.ShardEnd, "shardId-1": "205"} {
		if pos, err := s.Checkpoint(ctx, "events", shard); err != nil || pos != want {
			t.Fatalf("checkpoint of %s: %q, %v", shard, pos, err)
		}
	}
	dls, err := amazonconnect.ListDeadLetters(ctx, s, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []amazonconnect.DeadLetter{
		{Stream: "events", ShardID: "shardId-1", SequenceNumber: "9", Data: []byte{0xff}, Reason: "invalid-utf8", Error: "bad", StoredAt: t0.Add(time.Second)},
		{Stream: "events", ShardID: "shardId-1", SequenceNumber: "8", PartitionKey: "agent", ArrivedAt: at, Data: []byte(`{"`),
			Reason: "invalid-json", Error: "unexpected end", StoredAt: t0},
	}
	if !reflect.DeepEqual(dls, want) {
		t.Fatalf("dead letters after the migration:\n got %+v\nwant %+v", dls, want)
	}
	// A record the consumer offers again after the upgrade is kept once.
	if err := amazonconnect.PutDeadLetter(ctx, s, amazonconnect.DeadLetter{Stream: "events", ShardID: "shardId-1", SequenceNumber: "8", Reason: "again"}); err != nil {
		t.Fatal(err)
	}
	if dls, _ := amazonconnect.ListDeadLetters(ctx, s, 0); len(dls) != 2 {
		t.Fatalf("a migrated dead letter offered again is stored twice: %+v", dls)
	}
}
