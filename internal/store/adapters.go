package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Platform adapters keep their own state in the store through three small
// contracts in the store's own terms: opaque values under a namespace and a
// key, positions in streams, and records they could not apply. Each adapter
// encodes its data (JSON) itself, so the store knows no adapter's types.

// AdapterState keeps small values by namespace and key, each with a
// version so that two writers working from the same value cannot both
// store their result.
type AdapterState interface {
	// AdapterState returns the value stored under namespace and key and its
	// version: nil and version 0 when none is stored.
	AdapterState(ctx context.Context, namespace, key string) ([]byte, int64, error)
	// PutAdapterState stores value if the stored version is still version
	// (0: none stored); the stored version becomes version+1. Otherwise it
	// returns ErrConflict and stores nothing.
	PutAdapterState(ctx context.Context, namespace, key string, value []byte, version int64) error
}

// Checkpoints keeps, per stream and shard, the position a reader has
// durably handled.
type Checkpoints interface {
	// Checkpoint returns the shard's position, or "" when it has none.
	Checkpoint(ctx context.Context, stream, shard string) (string, error)
	// PutCheckpoint durably records the shard's position.
	PutCheckpoint(ctx context.Context, stream, shard, position string) error
}

// MaxDeadLetterData bounds the record bytes a dead letter keeps: a stream
// record may hold 1 MiB, and a dead letter that could not be stored would
// hold its shard up on every delivery.
const MaxDeadLetterData = 256 << 10

// DeadLetter is a record an adapter could not apply, kept for an operator.
type DeadLetter struct {
	// Namespace names the adapter; Key the record within it. A record
	// offered again under the same Namespace and Key is kept once, as
	// first stored.
	Namespace string
	Key       string
	// Reason is a stable code; Error says it in words.
	Reason string
	Error  string
	// Data is the record as received, cut to MaxDeadLetterData.
	Data []byte
	// Detail is the adapter's own description of the record, JSON.
	Detail json.RawMessage
	// StoredAt is when the dead letter was first stored; the store sets it.
	StoredAt time.Time
}

// Bounded returns d with Data cut to MaxDeadLetterData; Error then says so.
// Implementations store what it returns.
func (d DeadLetter) Bounded() DeadLetter {
	if n := len(d.Data); n > MaxDeadLetterData {
		d.Data = d.Data[:MaxDeadLetterData:MaxDeadLetterData]
		d.Error += fmt.Sprintf(" (record cut to its first %d of %d bytes)", MaxDeadLetterData, n)
	}
	return d
}

// DeadLetters keeps records adapters could not apply.
type DeadLetters interface {
	// PutDeadLetter durably stores d.Bounded(), once per Namespace and Key:
	// after a crash the adapter may offer the same record again.
	PutDeadLetter(ctx context.Context, d DeadLetter) error
	// DeadLetters returns up to limit (all when limit <= 0) of a
	// namespace's dead letters, newest first.
	DeadLetters(ctx context.Context, namespace string, limit int) ([]DeadLetter, error)
}

// Adapters is everything the platform adapters keep in the store.
type Adapters interface {
	AdapterState
	Checkpoints
	DeadLetters
}
