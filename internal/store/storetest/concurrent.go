package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
)

// Many writers at once, each on its own conversation: every write lands,
// the event log has no gap and the chain verifies.
func testConcurrentWriters(t *testing.T, f Factory) {
	s := f.Open(t)
	runWriters(t, []store.Store{s}, 8, 25)
}

// Writers on two handles at once build one chain and one gapless log.
func testTwoStoresOneChainAndLog(t *testing.T, f Factory) {
	if f.OpenPair == nil {
		t.Skip("this store has no second handle")
	}
	a, b := f.OpenPair(t)
	runWriters(t, []store.Store{a, b}, 4, 20)
}

func runWriters(t *testing.T, stores []store.Store, writers, each int) {
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range writers {
		s := stores[i%len(stores)]
		id := fmt.Sprintf("w%d", i)
		create(t, s, Sample(id))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range each {
				w := store.Write{Conversation: withVersion(Sample(id), 1), Unchanged: true,
					Audit:  []audit.Entry{entry(id, "w", fmt.Sprint(n))},
					Events: []store.Event{event("e", id)}}
				if err := s.Write(ctx, w); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	evs, err := stores[0].EventsAfter(ctx, 0, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != writers*each {
		t.Fatalf("%d events, want %d", len(evs), writers*each)
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].Seq != evs[i-1].Seq+1 {
			t.Fatalf("gap in the log between %d and %d", evs[i-1].Seq, evs[i].Seq)
		}
	}
	for _, s := range stores {
		if err := s.VerifyAudit(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
