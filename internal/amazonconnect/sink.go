package amazonconnect

import (
	"context"
	"time"
)

// Record is one agent event read from a Kinesis shard.
type Record struct {
	Stream         string
	ShardID        string
	SequenceNumber string
	PartitionKey   string
	// ArrivedAt is when Kinesis received the record.
	ArrivedAt time.Time
	Event     AgentEvent
}

// Sink applies agent events to hush: Plan with the agent's stored Memory,
// then the actions, the memory and the audit in durable writes.
type Sink interface {
	// Apply applies records in order and returns only once their effects
	// are durable. An error means the batch may be partly applied: the
	// consumer retries the whole batch, so Apply must be idempotent (Plan's
	// EventId and timestamp checks make it so when the memory is stored with
	// the actions). Errors are for failures worth retrying; an event that
	// breaks a conversation rule is not an error.
	Apply(ctx context.Context, records []Record) error
}

// ShardEnd is the checkpoint of a shard read to its end (closed by
// resharding); its children are read next.
const ShardEnd = "SHARD_END"
