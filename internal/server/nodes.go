package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/feed"
	"github.com/hush-cc/hush/internal/siprec"
	"github.com/hush-cc/hush/internal/store"
)

// ClusterConfig says how a node cooperates with the others sharing its
// PostgreSQL store.
type ClusterConfig struct {
	// NodeID names this node; empty reads it from NodeIDFile in the data
	// directory, which the first start creates.
	NodeID string
	// Lease is how long a heartbeat or a lease lasts unrenewed (default
	// DefaultLease): within about that time after a node dies a survivor
	// closes its recorder calls, and another node acts for the
	// conversations it acted for.
	Lease time.Duration
}

// DefaultLease is the lease of ClusterConfig.Lease when none is given.
const DefaultLease = 15 * time.Second

// NodeIDFile is the file, in the data directory, holding the node's id.
const NodeIDFile = "node.id"

// engineLease is the lease whose holder acts for every conversation whose
// media no single node holds.
const engineLease = "engine"

// nodeLease is the lease on a dead node's work: its holder closes that
// node's calls.
func nodeLease(id string) string { return "node:" + id }

// interruptedState is the adapter-state namespace, keyed by node, of the
// recorder calls other nodes closed while that node was dead: their files
// are repaired when it starts again.
const interruptedState = "recorder.interrupted"

// nodeID returns the node's id: the configured one, else the one kept in
// the data directory, created on first use.
func nodeID(cfg Config) (string, error) {
	if cfg.Cluster.NodeID != "" {
		return cfg.Cluster.NodeID, nil
	}
	path := filepath.Join(cfg.Data, NodeIDFile)
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return strings.TrimSpace(string(b)), nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read the node id: %w", err)
	}
	var r [8]byte
	_, _ = rand.Read(r[:])
	id := hex.EncodeToString(r[:])
	if err := os.WriteFile(path, []byte(id+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write the node id: %w", err)
	}
	return id, nil
}

// nodes lets this node share the work with the others on the same store:
// heartbeats, the engine lease, which conversations it acts for, taking
// over a dead node's recorder calls.
type nodes struct {
	self  string
	addr  string
	st    store.Cluster
	lease time.Duration
	log   *slog.Logger
	// holds is whether this node holds the engine lease; renewed is when
	// it last renewed it.
	holds   atomic.Bool
	renewed time.Time
	// engine, rec and closeLost are set once the server is built.
	engine    *engine.Engine
	rec       *recorder
	closeLost func(ctx context.Context, dead string) error

	mu sync.Mutex
	// taken holds the dead nodes whose calls this node is closing: it
	// answers for them meanwhile.
	taken map[string]bool
}

func (n *nodes) take(id string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.taken[id] = true
}

func (n *nodes) untake(id string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.taken, id)
}

func newNodes(self string, st store.Cluster, lease time.Duration, log *slog.Logger) *nodes {
	if lease <= 0 {
		lease = DefaultLease
	}
	return &nodes{self: self, st: st, lease: lease, log: log, taken: map[string]bool{}}
}

// acts reports whether this node acts for c: a recorder call on the node
// holding its media (or on the survivor closing it), anything else on the
// engine lease's holder.
func (n *nodes) acts(c conversation.Conversation) bool {
	if c.Platform == siprec.Platform && c.Node != "" {
		if c.Node == n.self {
			return true
		}
		n.mu.Lock()
		defer n.mu.Unlock()
		return n.taken[c.Node]
	}
	return n.holds.Load()
}

// medialess reports whether no single node holds c's media, so the engine
// lease's holder acts for it.
func medialess(c conversation.Conversation) bool {
	return c.Platform != siprec.Platform || c.Node == ""
}

// run beats until ctx ends.
func (n *nodes) run(ctx context.Context) {
	t := time.NewTicker(n.lease / 5)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if gained := n.beat(ctx); gained {
			if err := n.engine.Takeover(ctx, medialess); err != nil && ctx.Err() == nil {
				n.log.Error("take over the engine lease's conversations", "err", err)
			}
		}
		n.watch(ctx)
	}
}

// release lets the engine lease go, once the engine has stopped driving,
// so that another node takes it at once rather than when it lapses.
func (n *nodes) release() {
	if !n.holds.Swap(false) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := n.st.ReleaseLease(ctx, engineLease, n.self); err != nil {
		n.log.Warn("release the engine lease", "err", err)
	}
}

// beat renews the heartbeat and the engine lease; it reports whether the
// lease was gained rather than kept.
func (n *nodes) beat(ctx context.Context) (gained bool) {
	if err := n.st.Heartbeat(ctx, store.Node{ID: n.self, Address: n.addr}); err != nil && ctx.Err() == nil {
		n.log.Warn("heartbeat", "err", err)
	}
	held, err := n.st.TryLease(ctx, engineLease, n.self, n.lease)
	now := time.Now()
	switch {
	case err != nil:
		if ctx.Err() == nil {
			n.log.Warn("renew the engine lease", "err", err)
		}
		// Unrenewed, the lease is another node's to take once it lapses.
		if n.holds.Load() && now.Sub(n.renewed) >= n.lease {
			n.holds.Store(false)
			n.log.Warn("engine lease lapsed")
		}
		return false
	case held:
		n.renewed = now
		if !n.holds.Swap(true) {
			n.log.Info("engine lease held: this node acts for conversations without a recorder node", "node", n.self)
			return true
		}
	default:
		if n.holds.Swap(false) {
			n.log.Warn("engine lease lost to another node", "node", n.self)
		}
	}
	return false
}

// watch looks for dead nodes and closes their recorder calls, one
// survivor per dead node.
func (n *nodes) watch(ctx context.Context) {
	all, err := n.st.Nodes(ctx, n.lease)
	if err != nil {
		if ctx.Err() == nil {
			n.log.Warn("list nodes", "err", err)
		}
		return
	}
	for _, x := range all {
		if x.ID == n.self {
			continue
		}
		if x.Alive {
			continue
		}
		ok, err := n.st.TryLease(ctx, nodeLease(x.ID), n.self, n.lease)
		if err != nil || !ok {
			continue
		}
		n.log.Warn("node stopped: closing its recorder calls", "node", x.ID, "seen", x.Seen)
		if n.closeLost != nil {
			if err := n.closeLost(ctx, x.ID); err != nil {
				n.log.Error("close a dead node's calls; trying again", "node", x.ID, "err", err)
				continue
			}
		}
		if err := n.st.Forget(ctx, x.ID); err != nil {
			n.log.Warn("forget a dead node", "node", x.ID, "err", err)
		}
		if err := n.st.ReleaseLease(ctx, nodeLease(x.ID), n.self); err != nil {
			n.log.Warn("release a dead node's lease", "node", x.ID, "err", err)
		}
	}
}

// whileHolding runs f while this node holds the engine lease: it starts f
// when the lease is gained and ends it (and waits) when the lease is lost
// or ctx ends. Work one node at a time must do (webhook deliveries) runs
// so.
func (n *nodes) whileHolding(ctx context.Context, f func(context.Context)) {
	t := time.NewTicker(n.lease / 5)
	defer t.Stop()
	var stop context.CancelFunc
	var done chan struct{}
	end := func() {
		if stop != nil {
			stop()
			<-done
			stop = nil
		}
	}
	defer end()
	for {
		switch held := n.holds.Load(); {
		case held && stop == nil:
			fctx, cancel := context.WithCancel(ctx)
			stop, done = cancel, make(chan struct{})
			go func() {
				defer close(done)
				f(fctx)
			}()
		case !held:
			end()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// alive reports whether node id has beaten within the lease.
func (n *nodes) alive(ctx context.Context, id string) (bool, error) {
	all, err := n.st.Nodes(ctx, n.lease)
	if err != nil {
		return false, err
	}
	for _, x := range all {
		if x.ID == id {
			return x.Alive, nil
		}
	}
	return false, nil
}

// follow tells the engine of conversations other nodes change, when this
// node acts for them, so that it runs the drives they recorded.
func (n *nodes) follow(ctx context.Context, f *feed.Feed) {
	after, err := f.Latest(ctx)
	for ctx.Err() == nil {
		var items []feed.Item
		var more <-chan struct{}
		if err == nil {
			items, more, err = f.Read(ctx, after, 500)
		}
		if err != nil {
			if ctx.Err() == nil {
				n.log.Warn("follow the event log", "err", err)
			}
			select {
			case <-ctx.Done():
			case <-f.Done():
				return
			case <-time.After(time.Second):
			}
			err = nil
			continue
		}
		for _, it := range items {
			after = it.Seq
			n.observe(ctx, it.Event)
		}
		if len(items) == 0 {
			select {
			case <-ctx.Done():
			case <-f.Done():
				return
			case <-more:
			}
		}
	}
}

// observe passes one event's conversation change to the engine when this
// node may act for it. Recorder calls are known by the local recorder
// holding them; the rest by the engine lease.
func (n *nodes) observe(ctx context.Context, ev store.Event) {
	if ev.ConversationID == "" || !strings.HasPrefix(ev.Type, "conversation.") {
		return
	}
	var v struct {
		Platform string `json:"platform"`
		Version  int64  `json:"version"`
	}
	if json.Unmarshal(ev.Data, &v) != nil || v.Version == 0 {
		return
	}
	if v.Platform == siprec.Platform {
		if n.rec == nil || n.rec.rec.Call(ev.ConversationID) == nil {
			return
		}
	} else if !n.holds.Load() {
		return
	}
	n.engine.Observe(ctx, ev.ConversationID, v.Version)
}

// joinNodes, when the store is shared (PostgreSQL), names this node,
// beats once and tries the engine lease, so that the engine's start-up
// acts for what this node acts for. On SQLite the one node does it all.
func (s *Server) joinNodes(ctx context.Context) error {
	cl, ok := s.store.(store.Cluster)
	if s.cfg.StoreURL == "" || !ok {
		return nil
	}
	if l := s.cfg.Cluster.Lease; l != 0 && l < time.Second {
		return fmt.Errorf("--lease %v: want at least 1s (nodes beat every fifth of it)", l)
	}
	var err error
	if s.node, err = nodeID(s.cfg); err != nil {
		return err
	}
	s.nodes = newNodes(s.node, cl, s.cfg.Cluster.Lease, s.log)
	// Closers run in reverse: this one after the engine's, which lets the
	// drives in flight finish first.
	s.closers = append(s.closers, s.nodes.release)
	s.nodes.beat(ctx)
	s.log.Info("node joined", "node", s.node, "lease", s.nodes.lease, "engine lease", s.nodes.holds.Load())
	return nil
}
