package amazonconnect

import (
	"context"
	"errors"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"time"
)

// errLeaseLost ends a shard reader whose lease ran out or was given back:
// another node may be reading the shard, so this one must not apply or
// checkpoint anything more of it.
var errLeaseLost = errors.New("the shard's lease is no longer held")

// term is how long a shard may still be read: until its lease could have
// expired, by this process's clock, counted from before the lease was last
// taken or renewed (the store counts from later, by its own clock).
type term struct {
	mu    sync.Mutex
	until time.Time // zero: for ever (no lease)
	gone  bool
}

func (t *term) valid() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return !t.gone && (t.until.IsZero() || time.Now().Before(t.until))
}

func (t *term) extend(until time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.until = until
}

func (t *term) end() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.gone = true
}

// owner holds the shards a consumer reads: all of them alone, a fair share
// of them by lease when it shares the stream. Only Run's goroutine
// touches it, but for the reader goroutines it starts.
type owner struct {
	c        *Consumer
	held     map[string]*term              // shards this consumer may read
	readers  map[string]context.CancelFunc // readers running
	giving   map[string]bool               // held shards to give back once their reader stops
	finished map[string]bool
	done     chan shardDone
	wg       sync.WaitGroup
}

func newOwner(c *Consumer) *owner {
	return &owner{c: c, held: map[string]*term{}, readers: map[string]context.CancelFunc{},
		giving: map[string]bool{}, finished: map[string]bool{}, done: make(chan shardDone)}
}

// Lease names: one per shard, and one per node reading the stream, so that
// each node knows how many share it.
func (o *owner) prefix() string              { return "kinesis/" + o.c.stream.name + "/" }
func (o *owner) shardLease(id string) string { return o.prefix() + "shard/" + id }
func (o *owner) nodeLease() string           { return o.prefix() + "node/" + o.c.node }

// round renews the leases held, then reads the shard list and takes,
// gives back and reads shards.
func (o *owner) round(ctx context.Context) error {
	if o.c.cluster != nil {
		// First, so that a failure to list the shards costs no lease.
		if err := o.renew(ctx); err != nil {
			return err
		}
	}
	shards, err := o.c.listShards(ctx)
	if err != nil {
		return err
	}
	ready, err := o.c.readable(ctx, shards, o.finished)
	if err != nil {
		return err
	}
	if o.c.cluster == nil {
		for _, id := range ready {
			if o.held[id] == nil {
				o.held[id] = &term{}
			}
		}
	} else if err := o.share(ctx, ready); err != nil {
		return err
	}
	for id, t := range o.held {
		if o.readers[id] == nil && !o.giving[id] && !o.finished[id] {
			o.start(ctx, id, t)
		}
	}
	return nil
}

// renew renews the node's lease and its shards' leases. A lease another
// node now holds is lost: its reader stops.
func (o *owner) renew(ctx context.Context) error {
	cl, ttl := o.c.cluster, o.c.lease
	if _, err := cl.TryLease(ctx, o.nodeLease(), o.c.node, ttl); err != nil {
		return err
	}
	for _, id := range sortedKeys(o.held) {
		start := time.Now()
		ok, err := cl.TryLease(ctx, o.shardLease(id), o.c.node, ttl)
		switch {
		case err != nil:
			// Unknown: the term runs out by itself if this goes on.
			o.c.log.Warn("kinesis: renewing a shard's lease failed", "shard", id, "err", err)
		case !ok:
			o.c.log.Warn("kinesis: shard lease lost to another node", "shard", id)
			o.lose(id)
		default:
			o.held[id].extend(o.until(start))
		}
	}
	return nil
}

// share gives back what exceeds this node's fair share and takes free
// shards up to it. With n readable shards and m nodes, each node holds at
// most ceil(n/m), and gives back down to floor(n/m) while another node
// holds fewer: a node that joins gets its share, a node that dies leaves
// its shards free once their leases expire.
func (o *owner) share(ctx context.Context, ready []string) error {
	cl, ttl := o.c.cluster, o.c.lease
	leases, err := cl.Leases(ctx, o.prefix())
	if err != nil {
		return err
	}
	holders := map[string]string{}
	counts := map[string]int{o.c.node: 0}
	for _, l := range leases {
		if node, ok := strings.CutPrefix(l.Name, o.prefix()+"node/"); ok {
			if _, ok := counts[node]; !ok {
				counts[node] = 0
			}
			continue
		}
		if id, ok := strings.CutPrefix(l.Name, o.prefix()+"shard/"); ok && slices.Contains(ready, id) {
			holders[id] = l.Holder
			if l.Holder != o.c.node {
				counts[l.Holder]++
			}
		}
	}
	mine := 0
	for id := range o.held {
		if !o.giving[id] && slices.Contains(ready, id) {
			mine++
		}
	}
	counts[o.c.node] = mine
	n, m := len(ready), len(counts)
	floor, ceil := n/m, (n+m-1)/m
	starving := false
	for node, k := range counts {
		if node != o.c.node && k < floor {
			starving = true
		}
	}
	limit := ceil
	if starving {
		limit = floor
	}
	for _, id := range slices.Backward(sortedKeys(o.held)) {
		if mine <= limit {
			break
		}
		if !o.giving[id] {
			o.giveBack(ctx, id)
			mine--
		}
	}
	for _, id := range rotate(ready, o.c.node) {
		if mine >= limit {
			break
		}
		if o.held[id] != nil || holders[id] != "" {
			continue
		}
		start := time.Now()
		ok, err := cl.TryLease(ctx, o.shardLease(id), o.c.node, ttl)
		if err != nil {
			return err
		}
		if ok {
			o.c.log.Info("kinesis: shard leased", "shard", id, "node", o.c.node)
			o.held[id] = &term{until: o.until(start)}
			mine++
		}
	}
	return nil
}

// until is how long a lease taken or renewed by a call made at start
// certainly lasts: its length, less a tenth for the clocks' drift.
func (o *owner) until(start time.Time) time.Time { return start.Add(o.c.lease - o.c.lease/10) }

// start reads shard id from its checkpoint, as stored now: the last node
// to read it may have moved it.
func (o *owner) start(ctx context.Context, id string, t *term) {
	rctx, cancel := context.WithCancel(ctx)
	o.readers[id] = cancel
	o.wg.Go(func() {
		err := func() error {
			cp, err := o.c.cps.Checkpoint(rctx, o.c.stream.name, id)
			if err != nil {
				return err
			}
			return o.c.readShard(rctx, id, cp, t)
		}()
		select {
		case o.done <- shardDone{id, err}:
		case <-ctx.Done():
		}
	})
}

// lose stops reading a shard whose lease another node holds now.
func (o *owner) lose(id string) {
	if t := o.held[id]; t != nil {
		t.end()
	}
	delete(o.held, id)
	delete(o.giving, id)
	if cancel := o.readers[id]; cancel != nil {
		cancel()
	}
}

// giveBack stops reading a shard and frees its lease once the reader has
// stopped, so that no checkpoint of this node's follows another's.
func (o *owner) giveBack(ctx context.Context, id string) {
	o.c.log.Info("kinesis: giving a shard back for balance", "shard", id, "node", o.c.node)
	o.giving[id] = true
	if t := o.held[id]; t != nil {
		t.end()
	}
	if cancel := o.readers[id]; cancel != nil {
		cancel()
		return
	}
	o.release(ctx, id)
}

func (o *owner) release(ctx context.Context, id string) {
	delete(o.held, id)
	delete(o.giving, id)
	if o.c.cluster == nil {
		return
	}
	if err := o.c.cluster.ReleaseLease(ctx, o.shardLease(id), o.c.node); err != nil {
		o.c.log.Warn("kinesis: releasing a shard's lease failed; it expires by itself", "shard", id, "err", err)
	}
}

// ended handles a reader that stopped.
func (o *owner) ended(ctx context.Context, d shardDone) {
	delete(o.readers, d.id)
	switch {
	case o.giving[d.id]:
		o.release(ctx, d.id)
	case d.err == nil:
		o.finished[d.id] = true
		o.c.log.Info("kinesis: shard read to its end", "shard", d.id)
		o.release(ctx, d.id)
	case errors.Is(d.err, errLeaseLost):
		o.lose(d.id)
	case ctx.Err() == nil:
		o.c.log.Warn("kinesis: shard reader stopped; restarting it later", "shard", d.id, "err", d.err)
	}
}

// releaseAll gives back every lease once the readers have stopped, when
// the consumer stops: the other nodes need not wait for them to expire.
func (o *owner) releaseAll(ctx context.Context) {
	if o.c.cluster == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for _, id := range sortedKeys(o.held) {
		o.release(ctx, id)
	}
	if err := o.c.cluster.ReleaseLease(ctx, o.nodeLease(), o.c.node); err != nil {
		o.c.log.Warn("kinesis: releasing the node's lease failed; it expires by itself", "err", err)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// rotate starts the list at a place of the node's own, so that nodes
// looking for free shards at once try different ones first.
func rotate(ids []string, node string) []string {
	if len(ids) == 0 {
		return ids
	}
	h := fnv.New32a()
	h.Write([]byte(node))
	k := int(h.Sum32() % uint32(len(ids)))
	return slices.Concat(ids[k:], ids[:k])
}
