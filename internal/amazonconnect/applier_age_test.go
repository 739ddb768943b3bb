package amazonconnect_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/amazonconnect"
	"github.com/hush-cc/hush/internal/amazonconnect/connecttest"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
)

// An event older than MaxRecordAge is remembered but suspends nothing: a
// hold from yesterday replayed today must not call Connect. A fresh one
// still does.
func TestApplierMaxRecordAge(t *testing.T) {
	env := newApplierEnv(t, engine.Config{})
	ctx := context.Background()
	a := newApplier(t, env.eng, env.st, amazonconnect.ApplierConfig{MaxRecordAge: 10 * time.Minute})
	old := connecttest.NewScript(person("ana"), time.Now().Add(-20*time.Hour))
	got := results(a.ApplyEvents(ctx, decodeAll(t,
		old.Next(connecttest.Voice("a1", "CONNECTED")),
		old.Next(connecttest.Voice("a1", "CONNECTED_ONHOLD")))))
	want := [][]string{{"ana-0001", "create a1 created"}, {"ana-0002", "hold a1 too-old"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("results %q, want %q", got, want)
	}
	c, err := env.st.Conversation(ctx, "a1")
	if err != nil || c.Recording.Holds(conversation.Hold, "") || c.Recording.Driving != nil {
		t.Fatalf("an old hold reached the conversation: %+v, %v", c.Recording, err)
	}
	m, _, err := amazonconnect.LoadMemory(ctx, env.st, connecttest.AgentARN("ana"))
	if err != nil || !m.Contacts["a1"].OnHold {
		t.Fatalf("the old hold is not remembered: %+v, %v", m, err)
	}

	fresh := connecttest.NewScript(person("bo"), time.Now().Add(-time.Second))
	got = results(a.ApplyEvents(ctx, decodeAll(t,
		fresh.Next(connecttest.Voice("b1", "CONNECTED")),
		fresh.Next(connecttest.Voice("b1", "CONNECTED_ONHOLD")))))
	want = [][]string{{"bo-0001", "create b1 created"}, {"bo-0002", "hold b1 applied"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("results %q, want %q", got, want)
	}
	if calls := waitCalls(t, env.connect, 1); !slices.Equal(calls, []string{"SuspendContactRecording b1 200"}) {
		t.Fatalf("calls %q", calls)
	}
	if _, err := amazonconnect.NewApplier(env.eng, env.st, amazonconnect.ApplierConfig{MaxRecordAge: -time.Second}); err == nil {
		t.Fatal("a negative max record age was accepted")
	}
}
