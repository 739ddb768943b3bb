package feed_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/feed"
	"github.com/hush-cc/hush/internal/store"
)

// log is an in-memory event log.
type log struct {
	mu     sync.Mutex
	events []store.Event
	reads  int
	// behind counts the reads that started behind the log's head: the
	// feed's own read that finds nothing new is not one.
	behind int
	owners map[string]string
}

func (l *log) add(typ, conv, agent string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	data, _ := json.Marshal(map[string]string{"id": conv, "agentId": agent, "conversationId": conv})
	l.events = append(l.events, store.Event{Seq: int64(len(l.events) + 1), Type: typ, ConversationID: conv, Data: data})
}

func (l *log) EventsAfter(_ context.Context, after int64, _ string, limit int) ([]store.Event, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reads++
	if n := len(l.events); n > 0 && after < l.events[n-1].Seq {
		l.behind++
	}
	var out []store.Event
	for _, ev := range l.events {
		if ev.Seq > after && len(out) < limit {
			out = append(out, ev)
		}
	}
	return out, nil
}

func (l *log) LatestEventSeq(context.Context) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return int64(len(l.events)), nil
}

func (l *log) Conversation(_ context.Context, id string) (conversation.Conversation, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.owners[id]
	if !ok {
		return conversation.Conversation{}, store.ErrNotFound
	}
	return conversation.Conversation{ID: id, AgentID: a}, nil
}

func readAll(t *testing.T, f *feed.Feed, after int64, want int) []feed.Item {
	t.Helper()
	var got []feed.Item
	deadline := time.After(10 * time.Second)
	for len(got) < want {
		items, more, err := f.Read(context.Background(), after, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) == 0 {
			select {
			case <-more:
			case <-deadline:
				t.Fatalf("read %d events, want %d", len(got), want)
			}
			continue
		}
		got = append(got, items...)
		after = items[len(items)-1].Seq
	}
	return got
}

// Readers behind the window read history from the store; readers at the
// head share the window; every event carries its conversation's agent.
func TestFeedWindowAndHistory(t *testing.T) {
	l := &log{owners: map[string]string{"c1": "alice"}}
	l.add("conversation.created", "c1", "alice")
	wake := make(chan struct{})
	var mu sync.Mutex
	f := feed.New(feed.Config{Source: l, Window: 3, Poll: time.Hour, Wake: func() <-chan struct{} {
		mu.Lock()
		defer mu.Unlock()
		return wake
	}})
	defer f.Close()
	start, err := f.Latest(context.Background())
	if err != nil || start != 1 {
		t.Fatalf("Latest = %d, %v", start, err)
	}
	if items, _, err := f.Read(context.Background(), start, 10); err != nil || len(items) != 0 {
		t.Fatalf("a reader at the head got %v, %v", items, err)
	}
	for range 10 {
		l.add("recording.operation.completed", "c1", "")
	}
	mu.Lock()
	close(wake)
	wake = make(chan struct{})
	mu.Unlock()
	got := readAll(t, f, 0, 11)
	for i, it := range got {
		if it.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d: out of order or missing", i, it.Seq)
		}
		if it.AgentID != "alice" {
			t.Fatalf("event %d owner %q, want alice", it.Seq, it.AgentID)
		}
	}
	// History behind the window comes from the store; reading from the
	// newest event but one waits for the feed's own read of the log.
	readAll(t, f, 1, 10)
	readAll(t, f, 10, 1)
	l.mu.Lock()
	before := l.behind
	l.mu.Unlock()
	// Ten readers at the window share it: no store reads of history.
	for range 10 {
		readAll(t, f, 9, 2)
	}
	l.mu.Lock()
	after := l.behind
	l.mu.Unlock()
	if after != before {
		t.Fatalf("readers inside the window read the store %d times", after-before)
	}
}

// An event whose conversation cannot be read belongs to no agent.
func TestFeedUnknownOwnerIsNobody(t *testing.T) {
	l := &log{owners: map[string]string{}}
	l.add("secure-session.started", "gone", "")
	f := feed.New(feed.Config{Source: l, Poll: time.Hour})
	defer f.Close()
	got := readAll(t, f, 0, 1)
	if got[0].AgentID != "" {
		t.Fatalf("an event of an unreadable conversation belongs to %q", got[0].AgentID)
	}
}
