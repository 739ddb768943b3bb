package engine

import (
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"pgregory.net/rapid"

	"github.com/hush-cc/hush/internal/conversation"
)

// TestPausedGaugeMovesAsRecounted checks that moving the gauge change by
// change leaves it where counting every conversation afresh (reset) puts it.
func TestPausedGaugeMovesAsRecounted(t *testing.T) {
	kinds := append(gaugedKinds, conversation.Consent)
	genConv := func(t *rapid.T, id string) conversation.Conversation {
		c := conversation.Conversation{ID: id, CallState: conversation.Connected}
		if rapid.Bool().Draw(t, "ended") {
			c.CallState = conversation.Ended
		}
		for _, k := range conversation.AllCapabilities() {
			for range rapid.IntRange(0, 3).Draw(t, "reasons") {
				r := conversation.Reason{Kind: rapid.SampledFrom(kinds).Draw(t, "kind"), ID: rapid.StringN(0, 2, 2).Draw(t, "id")}
				c.Cap(k).Reasons = append(c.Cap(k).Reasons, r)
			}
		}
		return c
	}
	rapid.Check(t, func(t *rapid.T) {
		moved := pausedGauge{gauge: NewMetrics(nil).Paused}
		convs := make([]conversation.Conversation, rapid.IntRange(1, 4).Draw(t, "conversations"))
		for i := range convs {
			convs[i] = genConv(t, fmt.Sprint("c", i))
		}
		moved.reset(active(convs))
		for range rapid.IntRange(0, 20).Draw(t, "changes") {
			i := rapid.IntRange(0, len(convs)-1).Draw(t, "which")
			next := genConv(t, convs[i].ID)
			if !convs[i].Active() {
				next.CallState = conversation.Ended // an ended call stays ended
			}
			moved.move(&convs[i], &next)
			convs[i] = next
		}
		counted := pausedGauge{gauge: NewMetrics(nil).Paused}
		counted.reset(active(convs))
		for _, k := range kinds {
			got, want := value(moved.gauge, k), value(counted.gauge, k)
			if got != want {
				t.Fatalf("%s: moved to %v, recounted %v", k, got, want)
			}
		}
	})
}

// active are the conversations Start counts.
func active(convs []conversation.Conversation) []conversation.Conversation {
	var out []conversation.Conversation
	for _, c := range convs {
		if c.Active() {
			out = append(out, c)
		}
	}
	return out
}

func value(g *prometheus.GaugeVec, k conversation.ReasonKind) float64 {
	var m dto.Metric
	if err := g.WithLabelValues(string(k)).Write(&m); err != nil {
		panic(err)
	}
	return m.GetGauge().GetValue()
}

// TestSignalWakesHolders checks that a Notify closes the channel a waiter
// took before it, and that a Notify nobody waited for does not close the
// channel taken after it.
func TestSignalWakesHolders(t *testing.T) {
	s := NewSignal()
	s.Notify() // nobody holds a channel
	c := s.C()
	select {
	case <-c:
		t.Fatal("channel taken after the Notify is closed")
	default:
	}
	if s.C() != c {
		t.Fatal("a second waiter gets another channel before any Notify")
	}
	s.Notify()
	select {
	case <-c:
	default:
		t.Fatal("Notify did not close the channel waiters held")
	}
	if next := s.C(); next == c {
		t.Fatal("C after Notify returns the closed channel")
	}
}
