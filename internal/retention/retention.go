// Package retention deletes what hush no longer may keep: recording files
// of conversations ended longer ago than their retention, old events and
// old webhook delivery logs. Each deletion is audited (a file with its
// hash); conversations under legal hold are exempt; the audit chain itself
// is never pruned.
package retention

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/integrity"
)

// Store is what the sweep reads and writes.
type Store interface {
	RecordingsDue(ctx context.Context, cutoff time.Time, limit int) ([]string, error)
	RecordingsDeleted(ctx context.Context, conversationID string, at time.Time, entries []audit.Entry) error
	DeleteEventsBefore(ctx context.Context, cutoff time.Time, e audit.Entry) (int64, error)
	DeleteDeliveriesBefore(ctx context.Context, cutoff time.Time, e audit.Entry) (int64, error)
}

// Sweeper applies the retention periods; a zero period keeps forever.
type Sweeper struct {
	Store      Store
	Recordings time.Duration
	Events     time.Duration
	Deliveries time.Duration
	// Files returns the paths of a conversation's recording files (WAV,
	// segment map, transcript), whether or not they exist.
	Files func(conversationID string) []string
	// Owns reports whether this node holds a conversation's recording
	// files. Nodes sharing one store each keep their own calls' files, so a
	// node must not record as deleted the recording another node holds.
	// Nil: every recording is this node's.
	Owns func(ctx context.Context, conversationID string) (bool, error)
	// Every is the period of the sweep (default one hour).
	Every  time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// On reports whether any retention period is set.
func (s *Sweeper) On() bool { return s.Recordings > 0 || s.Events > 0 || s.Deliveries > 0 }

func (s *Sweeper) defaults() {
	if s.Every <= 0 {
		s.Every = time.Hour
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
}

// Run sweeps at start and every Every until ctx ends.
func (s *Sweeper) Run(ctx context.Context) {
	s.defaults()
	t := time.NewTicker(s.Every)
	defer t.Stop()
	for {
		if err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.Logger.Error("retention sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// batch bounds the conversations one sweep round handles at once.
const batch = 100

// Sweep deletes everything due now.
func (s *Sweeper) Sweep(ctx context.Context) error {
	s.defaults()
	now := s.Now()
	var errs []error
	if s.Recordings > 0 {
		errs = append(errs, s.sweepRecordings(ctx, now))
	}
	if s.Events > 0 {
		_, err := s.Store.DeleteEventsBefore(ctx, now.Add(-s.Events), s.entry(now, "retention.events-deleted", s.Events))
		errs = append(errs, err)
	}
	if s.Deliveries > 0 {
		_, err := s.Store.DeleteDeliveriesBefore(ctx, now.Add(-s.Deliveries), s.entry(now, "retention.deliveries-deleted", s.Deliveries))
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (s *Sweeper) entry(now time.Time, action string, period time.Duration) audit.Entry {
	return audit.Entry{At: now, Actor: "retention", Action: action, Reason: "retention " + period.String(), Outcome: "deleted"}
}

func (s *Sweeper) sweepRecordings(ctx context.Context, now time.Time) error {
	// Other nodes' recordings stay due until their nodes delete them: each
	// round asks for that many more, and passes over them.
	others := map[string]bool{}
	for {
		limit := batch + len(others)
		ids, err := s.Store.RecordingsDue(ctx, now.Add(-s.Recordings), limit)
		if err != nil {
			return err
		}
		fresh := 0
		for _, id := range ids {
			if others[id] {
				continue
			}
			fresh++
			if s.Owns != nil {
				mine, err := s.Owns(ctx, id)
				if err != nil {
					return fmt.Errorf("retention: whose recording is %s: %w", id, err)
				}
				if !mine {
					others[id] = true
					continue
				}
			}
			if err := s.deleteRecording(ctx, id, now); err != nil {
				return err
			}
		}
		if len(ids) < limit || fresh == 0 {
			return nil
		}
	}
}

// deleteRecording deletes a conversation's files. Each file is first
// renamed aside and hashed; the deletions are audited, with the hashes,
// before the files are unlinked; if the audit fails they are put back, so
// no file disappears unaudited and no audited file stays.
func (s *Sweeper) deleteRecording(ctx context.Context, id string, now time.Time) error {
	type aside struct{ path, tmp string }
	var moved []aside
	var entries []audit.Entry
	restore := func() {
		for _, m := range moved {
			_ = os.Rename(m.tmp, m.path)
		}
	}
	for _, path := range s.Files(id) {
		tmp := path + ".deleting"
		if err := os.Rename(path, tmp); errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			restore()
			return fmt.Errorf("retention: set aside %s: %w", filepath.Base(path), err)
		}
		moved = append(moved, aside{path, tmp})
		sum, n, err := integrity.HashFile(tmp)
		if err != nil {
			restore()
			return fmt.Errorf("retention: %w", err)
		}
		detail, _ := json.Marshal(integrity.Seal{File: filepath.Base(path), SHA256: sum, Bytes: n})
		entries = append(entries, audit.Entry{At: now, ConversationID: id, Actor: "retention", Action: "recording.deleted",
			Capability: "recording", Reason: "retention " + s.Recordings.String(), Outcome: "deleted", Detail: detail})
	}
	if err := s.Store.RecordingsDeleted(ctx, id, now, entries); err != nil {
		restore()
		return fmt.Errorf("retention: audit deletion of %s: %w", id, err)
	}
	var errs []error
	for _, m := range moved {
		if err := os.Remove(m.tmp); err != nil {
			errs = append(errs, fmt.Errorf("retention: delete %s: %w", filepath.Base(m.path), err))
		}
	}
	return errors.Join(errs...)
}
