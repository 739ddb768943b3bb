package amazonconnect

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/hush-cc/hush/internal/store"
)

// Kinesis allows 5 GetRecords calls per second per shard.
const minPollInterval = 200 * time.Millisecond

// ConsumerConfig configures Consumer.
type ConsumerConfig struct {
	// Stream is the stream's name or ARN.
	Stream string
	// PollInterval spaces the reads of each shard; 200 ms when zero, and
	// never less, which is Kinesis's limit of 5 reads per second per shard.
	PollInterval time.Duration
	// StartAt is where a shard without a checkpoint is read from:
	// TRIM_HORIZON (the oldest record kept, the default) or LATEST.
	StartAt ktypes.ShardIteratorType
	// Limit caps the records of one read, and so of one Sink batch; 1000
	// when zero.
	Limit int32
	// ShardRefresh is how often the shard list is read again; 10 s when
	// zero. A closed shard's children are looked for at once.
	ShardRefresh time.Duration
	Logger       *slog.Logger
}

// Consumer reads the agent event stream: every shard, children after their
// parents, from the stored checkpoint on. Undecodable records go to the
// dead-letter store and never hold a shard up; a checkpoint is written only
// once the Sink has applied the records before it.
type Consumer struct {
	client  *kinesis.Client
	stream  streamRef
	poll    time.Duration
	startAt ktypes.ShardIteratorType
	limit   int32
	refresh time.Duration
	log     *slog.Logger
	sink    Sink
	cps     store.Checkpoints
	dead    store.DeadLetters
}

// NewConsumer returns a consumer of cfg.Stream.
func NewConsumer(client *kinesis.Client, cfg ConsumerConfig, sink Sink, cps store.Checkpoints, dead store.DeadLetters) (*Consumer, error) {
	if client == nil || sink == nil || cps == nil || dead == nil {
		return nil, errors.New("kinesis consumer: client, sink, checkpoints and dead letters are all required")
	}
	ref, err := parseStream(cfg.Stream)
	if err != nil {
		return nil, fmt.Errorf("kinesis consumer: %w", err)
	}
	c := &Consumer{
		client: client, stream: ref, sink: sink, cps: cps, dead: dead,
		poll: max(cfg.PollInterval, minPollInterval), startAt: cfg.StartAt,
		limit: cfg.Limit, refresh: cfg.ShardRefresh, log: cfg.Logger,
	}
	switch c.startAt {
	case "":
		c.startAt = ktypes.ShardIteratorTypeTrimHorizon
	case ktypes.ShardIteratorTypeTrimHorizon, ktypes.ShardIteratorTypeLatest:
	default:
		return nil, fmt.Errorf("kinesis consumer: start at %q: want TRIM_HORIZON or LATEST", c.startAt)
	}
	if c.limit <= 0 {
		c.limit = 1000
	}
	if c.refresh <= 0 {
		c.refresh = 10 * time.Second
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	c.log = c.log.With("stream", ref.name)
	return c, nil
}

type shardDone struct {
	id  string
	err error
}

// Run consumes the stream until ctx ends.
func (c *Consumer) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	s := scheduler{running: map[string]bool{}, finished: map[string]bool{}}
	done := make(chan shardDone)
	start := func(id, checkpoint string) {
		s.running[id] = true
		wg.Go(func() {
			err := c.readShard(ctx, id, checkpoint)
			select {
			case done <- shardDone{id, err}:
			case <-ctx.Done():
			}
		})
	}
	tick := time.NewTicker(c.refresh)
	defer tick.Stop()
	for {
		if err := c.schedule(ctx, &s, start); err != nil && ctx.Err() == nil {
			c.log.Warn("kinesis: listing shards failed; trying again later", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case d := <-done:
			delete(s.running, d.id)
			if d.err == nil {
				s.finished[d.id] = true
				c.log.Info("kinesis: shard read to its end", "shard", d.id)
			} else if ctx.Err() == nil {
				c.log.Warn("kinesis: shard reader stopped; restarting it later", "shard", d.id, "err", d.err)
			}
		case <-tick.C:
		}
	}
}

// scheduler tracks which shards are being read and which are done; only
// Run's goroutine touches it.
type scheduler struct {
	running  map[string]bool
	finished map[string]bool
}

// schedule starts a reader for every unfinished shard whose parents are
// finished (or gone from the stream with the retention period).
func (c *Consumer) schedule(ctx context.Context, s *scheduler, start func(id, checkpoint string)) error {
	shards, err := c.listShards(ctx)
	if err != nil {
		return err
	}
	listed := map[string]bool{}
	for _, sh := range shards {
		listed[*sh.ShardId] = true
	}
	pending := map[string]string{}
	for _, sh := range shards {
		id := *sh.ShardId
		if s.running[id] || s.finished[id] {
			continue
		}
		cp, err := c.cps.Checkpoint(ctx, c.stream.name, id)
		if err != nil {
			return fmt.Errorf("checkpoint of shard %s: %w", id, err)
		}
		if cp == ShardEnd {
			s.finished[id] = true
			continue
		}
		pending[id] = cp
	}
	for _, sh := range shards {
		id := *sh.ShardId
		cp, ok := pending[id]
		if !ok {
			continue
		}
		ready := true
		for _, p := range []*string{sh.ParentShardId, sh.AdjacentParentShardId} {
			if p != nil && listed[*p] && !s.finished[*p] {
				ready = false
			}
		}
		if ready {
			start(id, cp)
		}
	}
	return nil
}

// listShards returns every shard of the stream, open or closed, by id.
func (c *Consumer) listShards(ctx context.Context) ([]ktypes.Shard, error) {
	in := &kinesis.ListShardsInput{StreamName: &c.stream.name}
	if c.stream.arn != "" {
		in.StreamARN = &c.stream.arn
	}
	var shards []ktypes.Shard
	for {
		out, err := c.client.ListShards(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list shards: %w", err)
		}
		shards = append(shards, out.Shards...)
		if out.NextToken == nil {
			break
		}
		// A continuation names the stream by its token alone.
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
	shards = slices.DeleteFunc(shards, func(s ktypes.Shard) bool { return s.ShardId == nil })
	slices.SortFunc(shards, func(a, b ktypes.Shard) int { return cmp.Compare(*a.ShardId, *b.ShardId) })
	return shards, nil
}
