package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/hush-cc/hush/internal/amazonconnect"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/dynamodb"
)

// Handler applies Kinesis batches of agent events: the same decoding,
// planning and engine as hush serve, with the DynamoDB store.
type Handler struct {
	Store   *dynamodb.Store
	Backend engine.Backend
	Applier amazonconnect.ApplierConfig
	// Retry bounds each Connect call's retries within an invocation.
	Retry engine.Retry
	// Margin is kept free before the invocation's deadline to answer.
	Margin time.Duration
	// Wait bounds the wait for Connect when the context has no deadline.
	Wait   time.Duration
	Logger *slog.Logger
}

// policy is the engine's for one invocation. Invocations of a shard run one
// after the other and an agent's contacts live in one shard, so a drive
// found unanswered when an invocation starts died with an earlier one: it
// is stale at once (see ApplierConfig.Reconcile). A failed drive is tried
// again at once: the engine's backoff spaces the attempts, and the
// invocation's deadline ends them, after which the batch is retried.
func policy() conversation.Policy {
	p := conversation.DefaultPolicy()
	p.StaleDrive = time.Millisecond
	p.RetryAfter = 0
	return p
}

// Handle applies one batch. It returns only after the backend calls the
// batch led to have been made and their results stored, or the time left
// runs out. A record is reported as failed (Lambda retries the batch from
// the first failed record) when its event was not durably applied, or a
// conversation it touched has not reached its desired recording state.
// Records that can never be applied are stored as dead letters, logged and
// not reported, so they never block the shard.
func (h *Handler) Handle(ctx context.Context, batch events.KinesisEvent) (events.KinesisEventResponse, error) {
	eng := engine.New(engine.Config{Store: h.Store, Backends: map[string]engine.Backend{amazonconnect.Platform: h.Backend},
		Policy: policy(), Retry: h.Retry, Logger: h.Logger})
	closed := false
	defer func() {
		if !closed {
			eng.Close(0)
		}
	}()
	cfg := h.Applier
	cfg.Reconcile, cfg.Logger = true, h.Logger
	ap, err := amazonconnect.NewApplier(eng, h.Store, cfg)
	if err != nil {
		return events.KinesisEventResponse{}, err
	}
	failed := make([]bool, len(batch.Records))
	var evs []amazonconnect.AgentEvent
	var from []int // record index of each event
	for i, r := range batch.Records {
		ev, err := amazonconnect.Decode(r.Kinesis.Data)
		if err == nil {
			evs = append(evs, ev)
			from = append(from, i)
			continue
		}
		failed[i] = !h.deadLetter(ctx, r, err)
	}
	touched := map[string]int{} // conversation → first record touching it
	for j, res := range ap.ApplyEvents(ctx, evs) {
		i := from[j]
		if res.Err != nil {
			h.Logger.Warn("agent event not applied", "seq", batch.Records[i].Kinesis.SequenceNumber, "event", res.EventID, "err", res.Err)
			failed[i] = true
		}
		for _, a := range res.Actions {
			if _, ok := touched[a.ConversationID]; !ok {
				touched[a.ConversationID] = i
			}
		}
	}
	eng.Close(h.grace(ctx))
	closed = true
	for id, i := range touched {
		if !h.settled(ctx, id) {
			failed[i] = true
		}
	}
	var resp events.KinesisEventResponse
	for i, r := range batch.Records {
		if failed[i] {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.KinesisBatchItemFailure{ItemIdentifier: r.Kinesis.SequenceNumber})
		}
	}
	h.Logger.Info("batch applied", "records", len(batch.Records), "events", len(evs), "conversations", len(touched), "failed", len(resp.BatchItemFailures))
	return resp, nil
}

// grace is how long the invocation may wait for Connect.
func (h *Handler) grace(ctx context.Context) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		return max(time.Until(dl)-h.Margin, 0)
	}
	return h.Wait
}

// deadLetter stores a record that cannot be decoded; false when storing it
// failed, so the record must come again.
func (h *Handler) deadLetter(ctx context.Context, r events.KinesisEventRecord, decodeErr error) bool {
	d := amazonconnect.DeadLetter{
		Stream:         streamName(r.EventSourceArn),
		ShardID:        shardID(r.EventID),
		SequenceNumber: r.Kinesis.SequenceNumber,
		PartitionKey:   r.Kinesis.PartitionKey,
		ArrivedAt:      r.Kinesis.ApproximateArrivalTimestamp.Time,
		Data:           r.Kinesis.Data,
		Reason:         string(amazonconnect.ReasonInvalid),
		Error:          decodeErr.Error(),
	}
	var de *amazonconnect.DecodeError
	if errors.As(decodeErr, &de) {
		d.Reason = string(de.Reason)
	}
	h.Logger.Warn("record dead-lettered", "shard", d.ShardID, "seq", d.SequenceNumber, "reason", d.Reason, "err", decodeErr)
	if err := amazonconnect.PutDeadLetter(ctx, h.Store, d); err != nil {
		h.Logger.Error("store dead letter", "seq", d.SequenceNumber, "err", err)
		return false
	}
	return true
}

// settled reports whether a conversation's capabilities have reached their
// desired states, or failed for good (a contact gone: audited, final).
func (h *Handler) settled(ctx context.Context, id string) bool {
	c, err := h.Store.Conversation(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return true
	}
	if err != nil {
		h.Logger.Warn("read conversation", "conversation", id, "err", err)
		return false
	}
	for _, k := range conversation.AllCapabilities() {
		cp := c.Cap(k)
		final := cp.Failure != nil && cp.Failure.Final && cp.Failure.Target == cp.Desired()
		if cp.Driving != nil || (!cp.Converged() && !final && cp.Desired() != conversation.NotStarted) {
			h.Logger.Warn("conversation not settled before the deadline", "conversation", id, "capability", k,
				"state", cp.State, "desired", cp.Desired())
			return false
		}
	}
	return true
}

// streamName is the stream of an event source ARN
// (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME).
func streamName(sourceARN string) string {
	a, err := arn.Parse(sourceARN)
	if err != nil {
		return sourceARN
	}
	return strings.TrimPrefix(a.Resource, "stream/")
}

// shardID is the shard of a Lambda Kinesis record id (SHARD:SEQUENCE).
func shardID(eventID string) string {
	id, _, _ := strings.Cut(eventID, ":")
	return id
}
