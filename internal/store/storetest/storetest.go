package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
)

// Factory opens stores for the suite.
type Factory struct {
	// Open returns a new, empty store, closed when the test ends.
	Open func(t *testing.T) store.Store
	// OpenPair returns two stores on one database, as two processes or
	// nodes would have; nil skips the tests that need two.
	OpenPair func(t *testing.T) (store.Store, store.Store)
}

// Run runs the whole contract of store.Store: one suite of assertions that
// each implementation's tests run against fresh stores of their own.
func Run(t *testing.T, f Factory) {
	tests := map[string]func(*testing.T, Factory){
		"ConversationRoundTrip":   testConversationRoundTrip,
		"ConversationNotFound":    testConversationNotFound,
		"WriteConflictAndExists":  testWriteConflictAndExists,
		"WriteRejectsBadInput":    testWriteRejectsBadInput,
		"SessionsAndQueries":      testSessionsAndQueries,
		"EventsAfter":             testEventsAfter,
		"ViewEvent":               testViewEvent,
		"Keys":                    testKeys,
		"Webhooks":                testWebhooks,
		"AuditChain":              testAuditChain,
		"ConcurrentWriters":       testConcurrentWriters,
		"OneWinnerPerVersion":     testOneWinnerPerVersion,
		"LoseNoUpdate":            testLoseNoUpdate,
		"TwoStoresOneChainAndLog": testTwoStoresOneChainAndLog,
		"Cluster":                 testCluster,
		"Retention":               testRetention,
		"KeyLifecycle":            testKeyLifecycle,
		"AuditActorName":          testAuditActorName,
		"Adapters":                func(t *testing.T, f Factory) { Adapters(t, f.Open(t)) },
	}
	for name, test := range tests {
		t.Run(name, func(t *testing.T) { test(t, f) })
	}
}

// T0 is the time the samples are set at: nanoseconds included, so a
// store that drops them is caught.
var T0 = time.Date(2026, 3, 1, 9, 30, 0, 123456789, time.UTC)

// Sample is a conversation with every kind of field set, as at T0, for
// store tests that need one.
func Sample(id string) conversation.Conversation {
	return conversation.Conversation{
		ID:         id,
		AgentID:    "agent-1",
		Platform:   "none",
		Attributes: map[string]string{"queue": "billing"},
		CallState:  conversation.OnHold,
		Recording: conversation.Cap{
			State: conversation.Paused, Started: true,
			Reasons: []conversation.Reason{{Kind: conversation.Hold, Since: T0, By: "agent-1", Note: "n"}},
			Driving: &conversation.Drive{TransactionID: "tx1", Capability: conversation.Recording,
				Operation: "pause", From: conversation.InProgress, Target: conversation.Paused, At: T0, Since: T0,
				Reasons: []conversation.Reason{{Kind: conversation.Hold, Since: T0}}},
			Waiters: []conversation.Waiter{{TransactionID: "tx1", Operation: "pause", Want: conversation.Paused}},
			Failure: &conversation.Failure{Target: conversation.Paused, Error: "boom", At: T0},
		},
		Transcription: conversation.Cap{State: conversation.NotStarted},
		Sessions: []conversation.SecureSession{{ID: "s1", State: conversation.SessionActive, StartedAt: T0,
			ExpiresAt: T0.Add(time.Minute)}},
		CreatedAt:   T0,
		UpdatedAt:   T0.Add(time.Second),
		LastInputAt: T0.Add(time.Second),
		SeenEvents:  []string{"e1", "e2"},
	}
}

func withVersion(c conversation.Conversation, v int64) conversation.Conversation {
	c.Version = v
	return c
}

func entry(conv, actor, action string) audit.Entry {
	return audit.Entry{At: T0, ConversationID: conv, Actor: actor, Action: action, Outcome: "ok",
		Detail: json.RawMessage(`{"k": "v", "html": "<b>"}`)}
}

func event(typ, conv string) store.Event {
	return store.Event{Type: typ, ConversationID: conv, At: T0, Data: json.RawMessage(`{"id":"` + conv + `"}`)}
}

func create(t testing.TB, s store.Store, c conversation.Conversation) {
	t.Helper()
	if err := s.Write(context.Background(), store.Write{Conversation: c, Create: true}); err != nil {
		t.Fatalf("create %s: %v", c.ID, err)
	}
}

func wantErr(t testing.TB, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want %v", err, want)
	}
}

func auditCount(t testing.TB, s store.Store) int {
	t.Helper()
	es, err := s.AuditEntries(context.Background(), store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

func eventCount(t testing.TB, s store.Store) int {
	t.Helper()
	es, err := s.EventsAfter(context.Background(), 0, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}
