package amazonconnect

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
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
	// Cluster, when set, shares the stream's shards among the consumers of
	// every node on the same store: each reads only the shards it holds a
	// lease on. Nil: this consumer reads every shard.
	Cluster store.Cluster
	// Node names this consumer among the others; required with Cluster.
	Node string
	// Lease is how long a shard's lease lasts unrenewed, and so how soon a
	// dead node's shards are read again elsewhere; 15 s when zero.
	// Leases are renewed every third of it.
	Lease  time.Duration
	Logger *slog.Logger
}

// DefaultLease is how long a shard's lease lasts unrenewed.
const DefaultLease = 15 * time.Second

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
	cluster store.Cluster
	node    string
	lease   time.Duration
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
		cluster: cfg.Cluster, node: cfg.Node, lease: cfg.Lease,
	}
	if c.cluster != nil && c.node == "" {
		return nil, errors.New("kinesis consumer: a consumer sharing shards needs a node name")
	}
	if c.lease <= 0 {
		c.lease = DefaultLease
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

// Run consumes the stream until ctx ends. Sharing shards, it then gives
// their leases back, so that the other nodes take them over at once.
func (c *Consumer) Run(ctx context.Context) error {
	runCtx, cancel := context.WithCancel(ctx)
	o := newOwner(c)
	defer func() {
		cancel()
		o.wg.Wait()
		o.releaseAll(context.WithoutCancel(ctx))
	}()
	every := c.refresh
	if c.cluster != nil {
		every = min(every, c.lease/3)
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if err := o.round(runCtx); err != nil && runCtx.Err() == nil {
			c.log.Warn("kinesis: listing or leasing shards failed; trying again later", "err", err)
		}
		select {
		case <-runCtx.Done():
			return nil
		case d := <-o.done:
			o.ended(runCtx, d)
		case <-tick.C:
		}
	}
}

// readable returns, sorted, the unfinished shards whose parents are
// finished (or gone from the stream with the retention period), as the
// checkpoints say, whoever wrote them.
func (c *Consumer) readable(ctx context.Context, shards []ktypes.Shard, finished map[string]bool) ([]string, error) {
	listed := map[string]bool{}
	for _, sh := range shards {
		listed[*sh.ShardId] = true
	}
	for _, sh := range shards {
		id := *sh.ShardId
		if finished[id] {
			continue
		}
		cp, err := c.cps.Checkpoint(ctx, c.stream.name, id)
		if err != nil {
			return nil, fmt.Errorf("checkpoint of shard %s: %w", id, err)
		}
		if cp == ShardEnd {
			finished[id] = true
		}
	}
	var ready []string
	for _, sh := range shards {
		id := *sh.ShardId
		if finished[id] {
			continue
		}
		ok := true
		for _, p := range []*string{sh.ParentShardId, sh.AdjacentParentShardId} {
			if p != nil && listed[*p] && !finished[*p] {
				ok = false
			}
		}
		if ok {
			ready = append(ready, id)
		}
	}
	return ready, nil
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
