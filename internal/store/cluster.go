package store

import (
	"context"
	"time"
)

// Node is one hush process sharing the store, as it last said.
type Node struct {
	ID string `json:"id"`
	// Address is where the node serves its API, for operators.
	Address string `json:"address,omitempty"`
	// Seen is when the node last renewed its heartbeat, by the store's
	// clock; Alive whether that was within the liveness window asked for.
	Seen  time.Time `json:"seen"`
	Alive bool      `json:"alive"`
}

// Cluster lets several nodes share work through the store: heartbeats say
// which nodes live, leases give one named piece of work to one node at a
// time. Time is the store's own clock, so nodes' clocks need not agree.
type Cluster interface {
	// Heartbeat records that node n is alive now.
	Heartbeat(ctx context.Context, n Node) error
	// Nodes lists every node that ever beat, with Alive true for those
	// seen within window.
	Nodes(ctx context.Context, window time.Duration) ([]Node, error)
	// Forget removes a node's heartbeat, once its work is taken over.
	Forget(ctx context.Context, id string) error
	// TryLease gives lease name to holder for ttl if it is free, expired
	// or already holder's (then it is renewed), and reports whether holder
	// holds it now.
	TryLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
	// ReleaseLease frees name if holder holds it.
	ReleaseLease(ctx context.Context, name, holder string) error
	// Leases lists the unexpired leases whose names start with prefix, by
	// name: who shares a piece of work, and who holds which part.
	Leases(ctx context.Context, prefix string) ([]Lease, error)
}

// Lease is a lease held when it was read.
type Lease struct {
	Name   string `json:"name"`
	Holder string `json:"holder"`
}
