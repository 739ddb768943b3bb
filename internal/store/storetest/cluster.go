package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/store"
)

// A lease is held by one holder at a time, renewed by it, free again once
// released or expired; nodes that stop beating stop being alive.
func testCluster(t *testing.T, f Factory) {
	s, ok := f.Open(t).(store.Cluster)
	if !ok {
		t.Skip("this store does not share work between nodes")
	}
	ctx := context.Background()
	try := func(holder string, ttl time.Duration, want bool) {
		t.Helper()
		got, err := s.TryLease(ctx, "shard-1", holder, ttl)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("%s taking the lease: %v, want %v", holder, got, want)
		}
	}
	try("a", time.Minute, true)
	try("b", time.Minute, false)
	try("a", time.Minute, true) // renewal
	if err := s.ReleaseLease(ctx, "shard-1", "b"); err != nil {
		t.Fatal(err)
	}
	try("b", time.Minute, false) // b's release freed nothing
	if err := s.ReleaseLease(ctx, "shard-1", "a"); err != nil {
		t.Fatal(err)
	}
	try("b", 200*time.Millisecond, true)
	if held, err := s.TryLease(ctx, "shard-10", "a", time.Minute); err != nil || !held {
		t.Fatalf("shard-10: %v, %v", held, err)
	}
	if held, err := s.TryLease(ctx, "other", "a", time.Minute); err != nil || !held {
		t.Fatalf("other: %v, %v", held, err)
	}
	leases, err := s.Leases(ctx, "shard-")
	if err != nil || len(leases) != 2 || leases[0] != (store.Lease{Name: "shard-1", Holder: "b"}) || leases[1] != (store.Lease{Name: "shard-10", Holder: "a"}) {
		t.Fatalf("leases shard-*: %+v, %v", leases, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		held, err := s.TryLease(ctx, "shard-1", "a", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if held {
			break // b's lease expired
		}

		if time.Now().After(deadline) {
			t.Fatal("an expired lease was never free again")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if leases, err := s.Leases(ctx, "shard-1"); err != nil || len(leases) != 2 || leases[0] != (store.Lease{Name: "shard-1", Holder: "a"}) {
		t.Fatalf("after a took the expired lease: %+v, %v", leases, err)
	}

	for _, id := range []string{"n1", "n2"} {
		if err := s.Heartbeat(ctx, store.Node{ID: id, Address: "127.0.0.1:1"}); err != nil {
			t.Fatal(err)
		}
	}
	nodes, err := s.Nodes(ctx, time.Minute)
	if err != nil || len(nodes) != 2 || !nodes[0].Alive || !nodes[1].Alive || nodes[0].ID != "n1" {
		t.Fatalf("nodes: %+v, %v", nodes, err)
	}
	if nodes, _ = s.Nodes(ctx, 0); nodes[0].Alive {
		t.Fatal("a node seen before the window is alive")
	}
	if err := s.Forget(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	if nodes, _ = s.Nodes(ctx, time.Minute); len(nodes) != 1 || nodes[0].ID != "n2" {
		t.Fatalf("after forgetting n1: %+v", nodes)
	}
}
