// Package anchor publishes signed checkpoints of the audit chain's head
// outside the database (an append-only file, a webhook, S3 with Object
// Lock) and reads them back to check the chain against them.
package anchor

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hush-cc/hush/internal/audit"
)

// Sink is somewhere checkpoints are published.
type Sink interface {
	// Name identifies the sink in logs.
	Name() string
	Publish(ctx context.Context, c audit.Checkpoint) error
}

// Head reads the audit chain's head.
type Head interface {
	AuditHead(ctx context.Context) (audit.Head, error)
}

// Anchorer signs the chain's head and publishes it to every sink: every
// Every if the chain grew, at once when it grew by Entries since the last
// checkpoint, at start and at shutdown.
type Anchorer struct {
	Store   Head
	Key     ed25519.PrivateKey
	Sinks   []Sink
	Every   time.Duration // default 1 minute
	Entries int64         // default 1000
	// Poll is how often the head is read to count new entries (default
	// one second, at most Every).
	Poll   time.Duration
	Logger *slog.Logger
	Now    func() time.Time

	last audit.Head
}

func (a *Anchorer) defaults() {
	if a.Every <= 0 {
		a.Every = time.Minute
	}
	if a.Entries <= 0 {
		a.Entries = 1000
	}
	if a.Poll <= 0 {
		a.Poll = time.Second
	}
	a.Poll = min(a.Poll, a.Every)
	if a.Logger == nil {
		a.Logger = slog.New(slog.DiscardHandler)
	}
	if a.Now == nil {
		a.Now = time.Now
	}
}

// Run publishes checkpoints until ctx ends, then publishes a last one.
func (a *Anchorer) Run(ctx context.Context) {
	a.defaults()
	a.tick(ctx, true)
	poll := time.NewTicker(a.Poll)
	defer poll.Stop()
	due := a.Now().Add(a.Every)
	for {
		select {
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			a.tick(final, true)
			cancel()
			return
		case <-poll.C:
			timely := !a.Now().Before(due)
			if a.tick(ctx, timely) || timely {
				due = a.Now().Add(a.Every)
			}
		}
	}
}

// tick publishes a checkpoint if the chain grew and either force is set
// or it grew by Entries. It reports whether it published one.
func (a *Anchorer) tick(ctx context.Context, force bool) bool {
	head, err := a.Store.AuditHead(ctx)
	if err != nil {
		a.Logger.Error("checkpoint: read audit head", "err", err)
		return false
	}
	if head.Seq == 0 || head == a.last || (!force && head.Seq-a.last.Seq < a.Entries) {
		return false
	}
	if err := a.Publish(ctx, head); err != nil {
		a.Logger.Error("checkpoint not published everywhere", "seq", head.Seq, "err", err)
		return false
	}
	return true
}

// Publish signs head now and publishes it to every sink. A sink that fails
// does not keep the others from being written; the head counts as
// published only if every sink took it, so a failed one is tried again at
// the next chance with the newer head.
func (a *Anchorer) Publish(ctx context.Context, head audit.Head) error {
	a.defaults()
	c := audit.SignCheckpoint(a.Key, head, a.Now())
	var errs []error
	for _, s := range a.Sinks {
		if err := s.Publish(ctx, c); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.Name(), err))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	a.last = head
	a.Logger.Debug("checkpoint published", "seq", head.Seq)
	return nil
}
