package amazonconnect

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hush-cc/hush/internal/store"
)

// deadLetterNamespace holds the adapter's dead letters, each under its
// stream, shard and sequence number.
const deadLetterNamespace = "amazonconnect"

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

// deadLetterDetail is the part of a DeadLetter the store keeps as the
// adapter's own description of the record.
type deadLetterDetail struct {
	Stream         string    `json:"stream"`
	ShardID        string    `json:"shardId"`
	SequenceNumber string    `json:"sequenceNumber"`
	PartitionKey   string    `json:"partitionKey,omitempty"`
	ArrivedAt      time.Time `json:"arrivedAt,omitzero"`
}

// PutDeadLetter durably stores d in st. A record stored before (same
// stream, shard and sequence number) is kept once: after a crash the
// consumer may offer it again. Of a record too large to keep whole, the
// store keeps the first store.MaxDeadLetterData bytes, and Error says so.
func PutDeadLetter(ctx context.Context, st store.DeadLetters, d DeadLetter) error {
	detail, err := json.Marshal(deadLetterDetail{Stream: d.Stream, ShardID: d.ShardID, SequenceNumber: d.SequenceNumber,
		PartitionKey: d.PartitionKey, ArrivedAt: d.ArrivedAt})
	if err != nil {
		return fmt.Errorf("encode dead letter %s: %w", d.SequenceNumber, err)
	}
	return st.PutDeadLetter(ctx, store.DeadLetter{Namespace: deadLetterNamespace, Key: d.Stream + "/" + d.ShardID + "/" + d.SequenceNumber,
		Reason: d.Reason, Error: d.Error, Data: d.Data, Detail: detail})
}

// ListDeadLetters returns up to limit (all when limit <= 0) of the
// adapter's dead letters in st, newest first.
func ListDeadLetters(ctx context.Context, st store.DeadLetters, limit int) ([]DeadLetter, error) {
	sds, err := st.DeadLetters(ctx, deadLetterNamespace, limit)
	if err != nil {
		return nil, err
	}
	out := make([]DeadLetter, 0, len(sds))
	for _, sd := range sds {
		d, err := fromStore(sd)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// fromStore decodes a dead letter the adapter stored.
func fromStore(sd store.DeadLetter) (DeadLetter, error) {
	var det deadLetterDetail
	if err := json.Unmarshal(sd.Detail, &det); err != nil {
		return DeadLetter{}, fmt.Errorf("decode dead letter %s: %w", sd.Key, err)
	}
	return DeadLetter{Stream: det.Stream, ShardID: det.ShardID, SequenceNumber: det.SequenceNumber, PartitionKey: det.PartitionKey,
		ArrivedAt: det.ArrivedAt, Data: sd.Data, Reason: sd.Reason, Error: sd.Error, StoredAt: sd.StoredAt}, nil
}
