package conversation_test

import (
	"testing"
	"time"

	cv "github.com/hush-cc/hush/internal/conversation"
)

// The end input's reason is the conversation's end reason, in its view
// and in the conversation.ended event.
func TestEndKeepsItsReason(t *testing.T) {
	base := fixture(t, cv.InProgress, cv.InProgress)
	in := withAt(end("e1"), at(time.Second))
	in.EndReason = cv.EndACKTimeout
	out := apply(t, base, in, at(2*time.Second))
	if out.Conversation.EndReason != "ack-timeout" || out.Conversation.View().EndReason != "ack-timeout" {
		t.Fatalf("end reason %q, view %q", out.Conversation.EndReason, out.Conversation.View().EndReason)
	}
	found := false
	for _, e := range out.Events {
		if v, ok := e.Data.(cv.View); ok && e.Type == cv.EventEnded {
			found = v.EndReason == "ack-timeout"
		}
	}
	if !found {
		t.Fatalf("no %s event with the reason: %+v", cv.EventEnded, out.Events)
	}
}
