package api_test

import (
	"context"
	"testing"
	"time"
)

// CloseStreams ends open event streams, so a shutdown is not held up by
// them, and leaves ordinary requests working.
func TestCloseStreamsEndsEventStreams(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, _ := e.stream(ctx, "/v1/events", e.admin, "")
	e.register("c1", "alice")
	next(t, events, ofType("conversation.created"))

	e.api.CloseStreams()
	timeout := time.After(10 * time.Second)
	for open := true; open; {
		select {
		case _, open = <-events:
		case <-timeout:
			t.Fatal("the event stream is still open after CloseStreams")
		}
	}
	e.mustDo(202, "POST", "/v1/conversations/c1/recording/pause", e.alice, nil)
}
