package amazonconnect

import (
	"fmt"
	"testing"

	"github.com/hush-cc/hush/internal/conversation"
	"pgregory.net/rapid"
)

// lifecycle phases of a generated contact; a contact only moves forward.
const (
	phaseAhead = iota // not offered yet
	phaseOffered
	phaseLive
	phaseFinal
	phaseGone
)

type genContact struct {
	id      string
	channel Channel
	initial string
	phase   int
	state   ContactState
}

// advance moves c one random step along a lifecycle Connect can produce.
func (c *genContact) advance(t *rapid.T) {
	label := c.id
	switch c.phase {
	case phaseAhead:
		switch rapid.IntRange(0, 2).Draw(t, label+" ahead") {
		case 1:
			c.phase, c.state = phaseOffered, rapid.SampledFrom([]ContactState{StateIncoming, StatePending, StateConnecting}).Draw(t, label+" offered")
		case 2:
			c.phase, c.state = phaseLive, StateConnected
		}
	case phaseOffered:
		switch rapid.IntRange(0, 3).Draw(t, label+" offered next") {
		case 1:
			c.phase, c.state = phaseLive, StateConnected
		case 2:
			c.phase, c.state = phaseFinal, rapid.SampledFrom([]ContactState{StateMissed, StateRejected, StateError}).Draw(t, label+" missed")
		case 3:
			c.phase = phaseGone
		}
	case phaseLive:
		switch rapid.IntRange(0, 3).Draw(t, label+" live next") {
		case 0, 1:
			c.state = rapid.SampledFrom([]ContactState{StateConnected, StateConnectedOnHold}).Draw(t, label+" hold")
		case 2:
			c.phase, c.state = phaseFinal, StateEnded
		case 3:
			c.phase = phaseGone
		}
	case phaseFinal:
		if rapid.Bool().Draw(t, label+" leaves") {
			c.phase = phaseGone
		}
	}
}

// genHistory draws one agent's events, oldest first, each with strictly
// increasing time and the previous snapshot of the one before (sometimes
// left out, as Connect does on some events).
func genHistory(t *rapid.T) []AgentEvent {
	n := rapid.IntRange(1, 4).Draw(t, "contacts")
	cs := make([]*genContact, n)
	for i := range cs {
		cs[i] = &genContact{
			id:      fmt.Sprint("k", i),
			channel: rapid.SampledFrom([]Channel{ChannelVoice, ChannelVoice, ChannelChat, ChannelTask}).Draw(t, "channel"),
		}
		if rapid.Bool().Draw(t, "transferred") {
			cs[i].initial = fmt.Sprint("root", i)
		}
	}
	var evs []AgentEvent
	var prev []Contact
	for step := range rapid.IntRange(1, 12).Draw(t, "events") {
		var cur []Contact
		for _, c := range cs {
			c.advance(t)
			if c.phase >= phaseOffered && c.phase <= phaseFinal {
				cur = append(cur, Contact{ContactID: c.id, InitialContactID: c.initial, Channel: c.channel, State: c.state})
			}
		}
		cur = rapid.Permutation(cur).Draw(t, "snapshot order")
		ev := agentEvent(fmt.Sprint("e", step), step, cur, nil)
		ev.EventType = rapid.SampledFrom([]EventType{EventStateChange, EventHeartBeat}).Draw(t, "type")
		if step > 0 && rapid.IntRange(0, 4).Draw(t, "previous") > 0 {
			ev.Previous = &Snapshot{Contacts: prev}
		}
		evs = append(evs, ev)
		prev = cur
	}
	return evs
}

// world applies actions to real conversations, failing on anything the
// engine would refuse.
type world struct {
	t     *rapid.T
	convs map[string]conversation.Conversation
}

func (w *world) apply(as []Action) {
	for _, a := range as {
		c, exists := w.convs[a.ContactID]
		if a.Kind == ActionCreate {
			if exists {
				w.t.Fatalf("conversation %s created twice", a.ContactID)
			}
			out, err := conversation.New(a.Spec(conversation.InProgress, conversation.NotStarted))
			if err != nil {
				w.t.Fatalf("create %s: %v", a.ContactID, err)
			}
			w.convs[a.ContactID] = out.Conversation
			continue
		}
		if !exists {
			if a.Kind != ActionEnd {
				w.t.Fatalf("%s for unknown conversation %s", a.Kind, a.ContactID)
			}
			continue
		}
		in, _ := a.Input()
		in.TransactionID = "tx-" + a.EventID
		out, err := conversation.Apply(c, in, a.At, conversation.DefaultPolicy())
		if err != nil {
			w.t.Fatalf("%s %s: %v", a.Kind, a.ContactID, err)
		}
		w.convs[a.ContactID] = out.Conversation
	}
}

// check asserts that the conversations are what snapshot s shows: each live
// voice contact active with its hold state, every other one absent or ended.
func (w *world) check(s *Snapshot, after string) {
	live := map[string]ContactState{}
	for _, c := range s.Contacts {
		if c.Channel == ChannelVoice && c.State.Live() {
			live[c.ContactID] = c.State
		}
	}
	for id, st := range live {
		c, ok := w.convs[id]
		if !ok || !c.Active() {
			w.t.Fatalf("after %s: live contact %s has no active conversation", after, id)
		}
		if hold := st == StateConnectedOnHold; (c.CallState == conversation.OnHold) != hold {
			w.t.Fatalf("after %s: contact %s is %s, conversation %s", after, id, st, c.CallState)
		}
		if (c.Recording.Desired() == conversation.Paused) != (st == StateConnectedOnHold) {
			w.t.Fatalf("after %s: contact %s is %s, recording wants %s", after, id, st, c.Recording.Desired())
		}
	}
	for id, c := range w.convs {
		if _, ok := live[id]; !ok && c.Active() {
			w.t.Fatalf("after %s: contact %s is not live but its conversation is %s", after, id, c.CallState)
		}
	}
}

func TestPlanFollowsEachSnapshotInOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		evs := genHistory(t)
		w := &world{t: t, convs: map[string]conversation.Conversation{}}
		var mem Memory
		for _, ev := range evs {
			out := Plan(ev, mem, Options{})
			if out.Ignored != "" {
				t.Fatalf("%s ignored: %s", ev.EventID, out.Ignored)
			}
			w.apply(out.Actions)
			mem = out.Memory
			w.check(ev.Current, ev.EventID)
		}
	})
}

func TestPlanConvergesToNewestSnapshotInAnyOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		evs := genHistory(t)
		idx := make([]int, len(evs))
		for i := range idx {
			idx[i] = i
		}
		dups := rapid.SliceOfN(rapid.IntRange(0, len(evs)-1), 0, len(evs)).Draw(t, "duplicates")
		order := rapid.Permutation(append(idx, dups...)).Draw(t, "delivery order")
		w := &world{t: t, convs: map[string]conversation.Conversation{}}
		var mem Memory
		for _, i := range order {
			out := Plan(evs[i], mem, Options{})
			w.apply(out.Actions)
			mem = out.Memory
		}
		newest := evs[len(evs)-1]
		w.check(newest.Current, "all")
		if !mem.LastEventAt.Equal(newest.EventTimestamp) {
			t.Fatalf("memory at %v, newest event at %v", mem.LastEventAt, newest.EventTimestamp)
		}
	})
}
