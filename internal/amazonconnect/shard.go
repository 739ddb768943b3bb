package amazonconnect

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"golang.org/x/time/rate"

	"github.com/hush-cc/hush/internal/backoff"
)

// readShard reads one shard from its checkpoint until the shard ends (nil)
// or ctx does, while t is valid. Failures to read are retried here; only a
// vanished stream or shard, or the end of t (errLeaseLost), ends it with an
// error.
func (c *Consumer) readShard(ctx context.Context, shardID, checkpoint string, t *term) error {
	log := c.log.With("shard", shardID)
	// One limiter for every call on the shard keeps it under 5 reads/s.
	lim := rate.NewLimiter(rate.Every(c.poll), 1)
	last := checkpoint
	it, err := c.iterator(ctx, lim, shardID, last)
	if err != nil {
		return err
	}
	for attempt := 0; ; {
		if err := lim.Wait(ctx); err != nil {
			return err
		}
		out, err := c.client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it, Limit: &c.limit})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var expired *ktypes.ExpiredIteratorException
			var gone *ktypes.ResourceNotFoundException
			switch {
			case errors.As(err, &gone):
				return fmt.Errorf("get records: %w", err)
			case errors.As(err, &expired):
				if it, err = c.iterator(ctx, lim, shardID, last); err != nil {
					return err
				}
			default:
				attempt++
				log.Warn("kinesis: get records failed", "err", err, "attempt", attempt)
				if !shardBackoff.Wait(ctx, attempt) {
					return ctx.Err()
				}
			}
			continue
		}
		attempt = 0
		if len(out.Records) > 0 {
			if err := c.process(ctx, shardID, out.Records, t); err != nil {
				return err
			}
			last = aws.ToString(out.Records[len(out.Records)-1].SequenceNumber)
		}
		if out.NextShardIterator == nil {
			return c.retry(ctx, "checkpoint the shard end", shardID, func() error {
				if !t.valid() {
					return stop{errLeaseLost}
				}
				return c.cps.PutCheckpoint(ctx, c.stream.name, shardID, ShardEnd)
			})
		}
		it = out.NextShardIterator
	}
}

// iterator returns an iterator just after seq, or at StartAt without one.
func (c *Consumer) iterator(ctx context.Context, lim *rate.Limiter, shardID, seq string) (*string, error) {
	in := &kinesis.GetShardIteratorInput{StreamName: &c.stream.name, ShardId: &shardID, ShardIteratorType: c.startAt}
	if c.stream.arn != "" {
		in.StreamARN = &c.stream.arn
	}
	if seq != "" {
		in.ShardIteratorType = ktypes.ShardIteratorTypeAfterSequenceNumber
		in.StartingSequenceNumber = &seq
	}
	var it *string
	err := c.retry(ctx, "get shard iterator", shardID, func() error {
		if err := lim.Wait(ctx); err != nil {
			return err
		}
		out, err := c.client.GetShardIterator(ctx, in)
		var gone *ktypes.ResourceNotFoundException
		if errors.As(err, &gone) {
			return stop{err}
		}
		if err != nil {
			return err
		}
		it = out.ShardIterator
		return nil
	})
	return it, err
}

// process dead-letters the records that do not decode, applies the others,
// and only then moves the shard's checkpoint past them, all while t is
// valid.
func (c *Consumer) process(ctx context.Context, shardID string, recs []ktypes.Record, t *term) error {
	if !t.valid() {
		return errLeaseLost
	}
	good := make([]Record, 0, len(recs))
	for _, r := range recs {
		rec := Record{
			Stream:         c.stream.name,
			ShardID:        shardID,
			SequenceNumber: aws.ToString(r.SequenceNumber),
			PartitionKey:   aws.ToString(r.PartitionKey),
			ArrivedAt:      aws.ToTime(r.ApproximateArrivalTimestamp),
		}
		ev, err := Decode(r.Data)
		if err == nil {
			rec.Event = ev
			good = append(good, rec)
			continue
		}
		d := DeadLetter{
			Stream: rec.Stream, ShardID: shardID, SequenceNumber: rec.SequenceNumber,
			PartitionKey: rec.PartitionKey, ArrivedAt: rec.ArrivedAt, Data: r.Data,
			Reason: string(ReasonInvalid), Error: err.Error(),
		}
		var de *DecodeError
		if errors.As(err, &de) {
			d.Reason = string(de.Reason)
		}
		c.log.Warn("kinesis: record dead-lettered", "shard", shardID, "seq", d.SequenceNumber, "reason", d.Reason, "err", err)
		if err := c.retry(ctx, "store a dead letter", shardID, func() error { return PutDeadLetter(ctx, c.dead, d) }); err != nil {
			return err
		}
	}
	if len(good) > 0 {
		if err := c.retry(ctx, "apply records", shardID, func() error {
			if !t.valid() {
				return stop{errLeaseLost}
			}
			return c.sink.Apply(ctx, good)
		}); err != nil {
			return err
		}
	}
	seq := aws.ToString(recs[len(recs)-1].SequenceNumber)
	return c.retry(ctx, "checkpoint", shardID, func() error {
		if !t.valid() {
			return stop{errLeaseLost}
		}
		return c.cps.PutCheckpoint(ctx, c.stream.name, shardID, seq)
	})
}

// stop marks an error retry must not retry.
type stop struct{ err error }

func (s stop) Error() string { return s.err.Error() }
func (s stop) Unwrap() error { return s.err }

// retry calls fn until it succeeds, returns a stop error, or ctx ends,
// backing off between attempts.
func (c *Consumer) retry(ctx context.Context, what, shardID string, fn func() error) error {
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var s stop
		if errors.As(err, &s) {
			return fmt.Errorf("%s: %w", what, s.err)
		}
		c.log.Warn("kinesis: "+what+" failed; retrying", "shard", shardID, "err", err, "attempt", attempt)
		if !shardBackoff.Wait(ctx, attempt) {
			return ctx.Err()
		}
	}
}

// shardBackoff spaces a shard's retries up to 5 s apart, with full jitter
// so that shards failing together spread out.
var shardBackoff = backoff.Policy{Base: 100 * time.Millisecond, Max: 5 * time.Second}
