// Package storetest checks store implementations against the contracts of
// package store, so every implementation is held to the same behaviour.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/store"
)

// Adapters checks st's AdapterState, Checkpoints and DeadLetters. st must
// be empty.
func Adapters(t *testing.T, st store.Adapters) {
	t.Run("adapter state", func(t *testing.T) { adapterState(t, st) })
	t.Run("adapter state race", func(t *testing.T) { adapterStateRace(t, st) })
	t.Run("checkpoints", func(t *testing.T) { checkpoints(t, st) })
	t.Run("dead letters", func(t *testing.T) { deadLetters(t, st) })
}

func adapterState(t *testing.T, st store.AdapterState) {
	ctx := context.Background()
	const ns, key = "adapter.memory", "arn:aws:connect:us-east-1:1:instance/i/agent/ñ"
	if v, ver, err := st.AdapterState(ctx, ns, key); err != nil || v != nil || ver != 0 {
		t.Fatalf("nothing stored: %q, %d, %v", v, ver, err)
	}
	first := []byte{0x00, 0xff, '{', '}'} // any bytes, not only text
	if err := st.PutAdapterState(ctx, ns, key, first, 0); err != nil {
		t.Fatal(err)
	}
	if err := st.PutAdapterState(ctx, ns, key, []byte("second first"), 0); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a second first write: %v, want ErrConflict", err)
	}
	if v, ver, err := st.AdapterState(ctx, ns, key); err != nil || !bytes.Equal(v, first) || ver != 1 {
		t.Fatalf("after the first write: %q, %d, %v", v, ver, err)
	}
	if err := st.PutAdapterState(ctx, ns, key, []byte("v2"), 1); err != nil {
		t.Fatal(err)
	}
	for _, stale := range []int64{1, 3} {
		if err := st.PutAdapterState(ctx, ns, key, []byte("stale"), stale); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("a write at version %d: %v, want ErrConflict", stale, err)
		}
	}
	if v, ver, err := st.AdapterState(ctx, ns, key); err != nil || string(v) != "v2" || ver != 2 {
		t.Fatalf("after the update: %q, %d, %v", v, ver, err)
	}
	// Namespaces and keys are apart from each other.
	if err := st.PutAdapterState(ctx, "other", key, []byte("o"), 0); err != nil {
		t.Fatalf("same key, another namespace: %v", err)
	}
	if err := st.PutAdapterState(ctx, ns, key+"/2", []byte{}, 0); err != nil {
		t.Fatalf("another key: %v", err)
	}
	if v, ver, err := st.AdapterState(ctx, ns, key+"/2"); err != nil || len(v) != 0 || ver != 1 {
		t.Fatalf("an empty value: %q, %d, %v", v, ver, err)
	}
	if v, ver, _ := st.AdapterState(ctx, ns, key); string(v) != "v2" || ver != 2 {
		t.Fatalf("another namespace's write changed the value: %q, %d", v, ver)
	}
}

// Writers racing from the same version: exactly one wins each round.
func adapterStateRace(t *testing.T, st store.AdapterState) {
	ctx := context.Background()
	const ns, key, writers, rounds = "adapter.race", "k", 4, 5
	for version := int64(0); version < rounds; version++ {
		errs := make([]error, writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() { errs[i] = st.PutAdapterState(ctx, ns, key, []byte{byte(i)}, version) })
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, store.ErrConflict):
				t.Fatalf("version %d: %v", version, err)
			}
		}
		if won != 1 {
			t.Fatalf("version %d: %d writers won, want 1 (%v)", version, won, errs)
		}
	}
	if _, ver, err := st.AdapterState(ctx, ns, key); err != nil || ver != rounds {
		t.Fatalf("final version %d, %v; want %d", ver, err, rounds)
	}
}

func checkpoints(t *testing.T, st store.Checkpoints) {
	ctx := context.Background()
	if pos, err := st.Checkpoint(ctx, "events", "shardId-0"); err != nil || pos != "" {
		t.Fatalf("no checkpoint: %q, %v", pos, err)
	}
	for _, pos := range []string{"100", "205", "SHARD_END"} {
		if err := st.PutCheckpoint(ctx, "events", "shardId-0", pos); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.PutCheckpoint(ctx, "events", "shardId-1", "7"); err != nil {
		t.Fatal(err)
	}
	if err := st.PutCheckpoint(ctx, "other", "shardId-0", "9"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ stream, shard, want string }{
		{"events", "shardId-0", "SHARD_END"}, {"events", "shardId-1", "7"}, {"other", "shardId-0", "9"}, {"other", "shardId-1", ""},
	} {
		if pos, err := st.Checkpoint(ctx, c.stream, c.shard); err != nil || pos != c.want {
			t.Fatalf("checkpoint of %s/%s: %q, %v; want %q", c.stream, c.shard, pos, err, c.want)
		}
	}
}

func deadLetters(t *testing.T, st store.DeadLetters) {
	ctx := context.Background()
	const ns = "adapter"
	before := time.Now().Add(-time.Minute)
	if dls, err := st.DeadLetters(ctx, ns, 0); err != nil || len(dls) != 0 {
		t.Fatalf("none stored: %+v, %v", dls, err)
	}
	first := store.DeadLetter{Namespace: ns, Key: "events/shardId-1/8", Reason: "invalid-json", Error: "unexpected end of JSON input",
		Data: []byte{'{', 0xff}, Detail: json.RawMessage(`{"stream":"events","arrivedAt":"2026-03-01T09:00:00Z"}`)}
	put := func(d store.DeadLetter) {
		t.Helper()
		if err := st.PutDeadLetter(ctx, d); err != nil {
			t.Fatalf("put %s: %v", d.Key, err)
		}
	}
	put(first)
	// Offered again, as after a crash: kept once, as first stored.
	again := first
	again.Error, again.Data = "second", []byte("second")
	put(again)
	put(store.DeadLetter{Namespace: ns, Key: "events/shardId-1/9", Reason: "invalid-utf8"})
	put(store.DeadLetter{Namespace: "other", Key: "events/shardId-1/8", Reason: "other"})
	// A record as large as a stream allows is kept cut, never refused, or
	// it would hold its shard up.
	put(store.DeadLetter{Namespace: ns, Key: "events/shardId-1/10", Reason: "invalid-json", Error: "too long",
		Data: bytes.Repeat([]byte("x"), 1<<20)})

	dls, err := st.DeadLetters(ctx, ns, 0)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, d := range dls {
		keys = append(keys, d.Key)
		if d.Namespace != ns || d.StoredAt.Before(before) || d.StoredAt.After(time.Now().Add(time.Minute)) {
			t.Fatalf("dead letter %s: namespace %q stored at %v", d.Key, d.Namespace, d.StoredAt)
		}
	}
	if want := []string{"events/shardId-1/10", "events/shardId-1/9", "events/shardId-1/8"}; !reflect.DeepEqual(keys, want) {
		t.Fatalf("dead letters %q, want %q (newest first)", keys, want)
	}
	if big := dls[0]; len(big.Data) != store.MaxDeadLetterData || !strings.HasPrefix(big.Error, "too long") || !strings.Contains(big.Error, "cut") {
		t.Fatalf("a 1 MiB record kept %d bytes, error %q", len(big.Data), big.Error)
	}
	got := dls[2]
	if got.Reason != first.Reason || got.Error != first.Error || !bytes.Equal(got.Data, first.Data) || !sameJSON(t, got.Detail, first.Detail) {
		t.Fatalf("first dead letter read back as %+v", got)
	}
	if len(dls[1].Detail) != 0 || len(dls[1].Data) != 0 {
		t.Fatalf("a dead letter without data or detail read back as %+v", dls[1])
	}
	if dls, err := st.DeadLetters(ctx, ns, 1); err != nil || len(dls) != 1 || dls[0].Key != "events/shardId-1/10" {
		t.Fatalf("limit 1: %+v, %v", dls, err)
	}
	if dls, err := st.DeadLetters(ctx, "other", 0); err != nil || len(dls) != 1 || dls[0].Reason != "other" {
		t.Fatalf("another namespace: %+v, %v", dls, err)
	}
}

// sameJSON compares JSON by value: a store may keep it in another layout.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("detail %q: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("detail %q: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}
