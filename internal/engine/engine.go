// Package engine runs hush's rules against the world: it serializes every
// input of a conversation in its own lane, persists the new state and the
// audit entries before any effect, drives the backends with retries, feeds
// their results back, re-drives whatever has not converged and releases
// pauses that outlive their maximum age.
package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hush-cc/hush/internal/clock"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
)

// Config configures an Engine.
type Config struct {
	Store store.Conversations
	// Backends by conversation platform ("none", "amazon-connect", "siprec").
	Backends map[string]Backend
	Policy   conversation.Policy
	Retry    Retry
	// MaxRetroactive bounds how far into the past a pause may reach.
	MaxRetroactive time.Duration
	// ReconcileEvery is the period of the reconciler's sweep.
	ReconcileEvery time.Duration
	// DriveTimeout bounds one backend call.
	DriveTimeout time.Duration
	// Clock tells the time and runs the expiry timers and the
	// reconciler's ticker (default the wall clock).
	Clock   clock.Clock
	NewID   func() string
	Logger  *slog.Logger
	Metrics *Metrics
	// Acts reports whether this node acts for a conversation: drives its
	// backend, runs its expiry timer, reconciles it. Nodes sharing a store
	// give each conversation one such node; the others persist its changes
	// and leave the acting to it (see Observe). Nil acts for every one.
	Acts func(conversation.Conversation) bool
}

func (c *Config) defaults() {
	if c.Policy == (conversation.Policy{}) {
		c.Policy = conversation.DefaultPolicy()
	}
	if c.Retry == (Retry{}) {
		c.Retry = DefaultRetry()
	}
	if c.MaxRetroactive == 0 {
		c.MaxRetroactive = 5 * time.Second
	}
	if c.ReconcileEvery == 0 {
		c.ReconcileEvery = 5 * time.Second
	}
	if c.DriveTimeout == 0 {
		c.DriveTimeout = 10 * time.Second
	}
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.NewID == nil {
		c.NewID = NewID
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Metrics == nil {
		c.Metrics = NewMetrics(nil)
	}
}

// Engine applies inputs to conversations. It is safe for concurrent use.
type Engine struct {
	cfg    Config
	lanes  lanes
	signal *Signal
	paused pausedGauge
	// driving holds the drives this process has running.
	driving running
	// work counts backend drives and expiry timers in flight.
	work flights

	// ctx outlives requests: backend drives and timers run under it.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns an engine; call Start to run its background work.
func New(cfg Config) *Engine {
	cfg.defaults()
	ctx, cancel := context.WithCancel(context.Background())
	e := &Engine{cfg: cfg, signal: NewSignal(), ctx: ctx, cancel: cancel}
	e.lanes.init()
	e.driving.m = make(map[string]struct{})
	e.paused.gauge = cfg.Metrics.Paused
	return e
}

// Signal is notified after every commit that appended events.
func (e *Engine) Signal() *Signal { return e.signal }

// Policy returns the rules' limits in force.
func (e *Engine) Policy() conversation.Policy { return e.cfg.Policy }

// Start re-drives everything left unconverged by an earlier run (its drives
// died with it) and starts the periodic reconciler.
func (e *Engine) Start(ctx context.Context) error {
	convs, err := e.cfg.Store.Conversations(ctx, store.Query{ActiveOnly: true})
	if err != nil {
		return fmt.Errorf("start-up reconcile: %w", err)
	}
	e.paused.reset(convs)
	if err := e.reconcileAll(ctx, func(conversation.Conversation) bool { return true }); err != nil {
		return fmt.Errorf("start-up reconcile: %w", err)
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		e.reconcileLoop()
	}()
	return nil
}

// Close stops background work. Backend calls in flight get grace to finish
// and report; after it they are cancelled and the reconciler of the next run
// picks their capabilities up.
func (e *Engine) Close(grace time.Duration) {
	t := time.NewTimer(grace)
	select {
	case <-e.work.drained():
	case <-t.C:
	}
	t.Stop()
	e.cancel()
	e.lanes.stopTimers()
	e.lanes.workers.close()
	e.wg.Wait()
	// Work still in flight now runs under a cancelled context and ends
	// soon; nothing new starts.
	<-e.work.close()
}

// NewID returns a random 128-bit identifier in hex.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
