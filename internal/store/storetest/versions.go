package storetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
)

// Two Stores on one file stand in for two hush processes.
func testOneWinnerPerVersion(t *testing.T, f Factory) {
	a, b := f.OpenPair(t)
	ctx := context.Background()
	create(t, a, Sample("c"))
	const rounds = 30
	for v := int64(1); v <= rounds; v++ {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, s := range []store.Store{a, b} {
			wg.Go(func() {
				c := withVersion(Sample("c"), v)
				c.Attributes = map[string]string{"winner": strconv.Itoa(i)}
				errs[i] = s.Write(ctx, store.Write{Conversation: c, Audit: []audit.Entry{entry("c", strconv.Itoa(i), "w")}})
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, store.ErrConflict):
				t.Fatalf("version %d: %v", v, err)
			}
		}
		if won != 1 {
			t.Fatalf("version %d: %d writers won, want exactly 1 (%v)", v, won, errs)
		}
	}
	c, err := b.Conversation(ctx, "c")
	if err != nil || c.Version != rounds+1 {
		t.Fatalf("final version %d, %v; want %d", c.Version, err, rounds+1)
	}
	if es, _ := a.AuditEntries(ctx, store.AuditQuery{}); len(es) != rounds {
		t.Fatalf("%d audit entries, want %d: only winners audit", len(es), rounds)
	}
}

// Read-modify-write loops on both Stores lose no update, and the audit chain
// both extend at once stays intact.
func testLoseNoUpdate(t *testing.T, f Factory) {
	a, b := f.OpenPair(t)
	stores := []store.Store{a, b}
	ctx := context.Background()
	c := Sample("c")
	c.Attributes = map[string]string{"n": "0"}
	create(t, stores[0], c)

	const workers, increments, appends = 3, 15, 15
	var wg sync.WaitGroup
	errs := make(chan error, len(stores)*workers*2)
	for si, s := range stores {
		for w := range workers {
			wg.Go(func() {
				for range increments {
					if err := increment(ctx, s); err != nil {
						errs <- err
						return
					}
				}
			})
			wg.Go(func() {
				for i := range appends {
					if err := s.AppendAudit(ctx, entry("", fmt.Sprintf("s%d-w%d", si, w), strconv.Itoa(i))); err != nil {
						errs <- err
						return
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	total := len(stores) * workers * increments
	got, err := stores[1].Conversation(ctx, "c")
	if err != nil {
		t.Fatal(err)
	}
	if got.Attributes["n"] != strconv.Itoa(total) || got.Version != int64(total+1) {
		t.Fatalf("n=%s version=%d, want n=%d version=%d", got.Attributes["n"], got.Version, total, total+1)
	}
	es, err := stores[0].AuditEntries(ctx, store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if want := total + len(stores)*workers*appends; len(es) != want {
		t.Fatalf("%d audit entries, want %d", len(es), want)
	}
	for _, s := range stores {
		if err := s.VerifyAudit(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// increment adds one to the conversation's counter, re-reading on conflict.
func increment(ctx context.Context, s store.Store) error {
	for {
		c, err := s.Conversation(ctx, "c")
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(c.Attributes["n"])
		if err != nil {
			return err
		}
		c.Attributes["n"] = strconv.Itoa(n + 1)
		err = s.Write(ctx, store.Write{Conversation: c, Audit: []audit.Entry{entry("c", "inc", c.Attributes["n"])}})
		if !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
}
