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

// Checkpoints stores, per stream and shard, the sequence number of the last
// record applied.
type Checkpoints interface {
	// Checkpoint returns the shard's checkpoint, or "" when it has none.
	Checkpoint(ctx context.Context, stream, shardID string) (string, error)
	// PutCheckpoint durably records seq (or ShardEnd) for the shard.
	PutCheckpoint(ctx context.Context, stream, shardID, seq string) error
}

// DeadLetter is a record that cannot be applied, kept for an operator.
type DeadLetter struct {
	Stream         string    `json:"stream"`
	ShardID        string    `json:"shardId"`
	SequenceNumber string    `json:"sequenceNumber"`
	PartitionKey   string    `json:"partitionKey,omitempty"`
	ArrivedAt      time.Time `json:"arrivedAt,omitzero"`
	Data           []byte    `json:"data"`
	// Reason is a stable code (a DecodeReason); Error says it in words.
	Reason string `json:"reason"`
	Error  string `json:"error"`
	// StoredAt is when the dead letter was first stored; the store sets it.
	StoredAt time.Time `json:"storedAt,omitzero"`
}

// DeadLetters stores records that cannot be applied.
type DeadLetters interface {
	// PutDeadLetter durably stores d. A record stored before (same stream,
	// shard and sequence number) is kept once: after a crash the consumer
	// may offer it again.
	PutDeadLetter(ctx context.Context, d DeadLetter) error
}
