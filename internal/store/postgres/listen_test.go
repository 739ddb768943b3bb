package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/postgres/pgtest"
)

// A commit on one node wakes a listener on another.
func TestListenWakesOnOtherNodesCommits(t *testing.T) {
	url := pgtest.Database(t)
	a, b := open(t, url), open(t, url)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	woken := make(chan struct{}, 16)
	go b.Listen(ctx, func() { woken <- struct{}{} })
	select {
	case <-woken: // the first wake, once listening
	case <-time.After(30 * time.Second):
		t.Fatal("the listener never started")
	}
	c := conversation.Conversation{ID: "c1", AgentID: "a", CallState: conversation.Connected}
	if err := a.Write(ctx, store.Write{Conversation: c, Create: true,
		Events: []store.Event{{Type: "conversation.created", ConversationID: "c1"}}}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-woken:
	case <-time.After(30 * time.Second):
		t.Fatal("a commit with events on another node woke nobody")
	}
}
