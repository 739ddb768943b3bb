package amazonconnect

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
)

const testAgentARN = "arn:aws:connect:us-east-1:123456789012:instance/i-1/agent/a-1"

var t0 = time.Date(2025, 3, 4, 15, 0, 0, 0, time.UTC)

func voice(id string, st ContactState) Contact {
	return Contact{ContactID: id, Channel: ChannelVoice, State: st, StateStartTimestamp: t0}
}

func chat(id string, st ContactState) Contact {
	return Contact{ContactID: id, Channel: ChannelChat, State: st}
}

// agentEvent builds an event at t0+sec; prev nil means no previous snapshot.
func agentEvent(id string, sec int, cur, prev []Contact) AgentEvent {
	ev := AgentEvent{
		AgentARN:       testAgentARN,
		EventID:        id,
		EventTimestamp: t0.Add(time.Duration(sec) * time.Second),
		EventType:      EventStateChange,
		Current:        &Snapshot{Configuration: Configuration{Username: "sobrien"}, Contacts: cur},
	}
	if prev != nil {
		ev.Previous = &Snapshot{Contacts: prev}
	}
	return ev
}

// summary renders actions as "kind contact" lines for compact assertions.
func summary(as []Action) string {
	var parts []string
	for _, a := range as {
		parts = append(parts, string(a.Kind)+" "+a.ContactID)
	}
	return strings.Join(parts, ", ")
}

func TestPlanReferenceEvent(t *testing.T) {
	ev, err := Decode(referenceRecord(t))
	if err != nil {
		t.Fatal(err)
	}
	out := Plan(ev, Memory{}, Options{})
	const id = "c0ffee00-1111-2222-3333-444455556666"
	if got := summary(out.Actions); got != "create "+id+", hold "+id {
		t.Fatalf("actions = %s", got)
	}
	a := out.Actions[1]
	if a.InitialContactID != id || a.AgentID != "sobrien" || a.AgentARN != ev.AgentARN ||
		a.EventID != ev.EventID || !a.At.Equal(ev.EventTimestamp) || a.Channel != ChannelVoice ||
		a.InstanceARN != ev.InstanceARN || !a.StateSince.Equal(ev.Current.Contacts[0].StateStartTimestamp) {
		t.Fatalf("hold action = %+v", a)
	}
	m := out.Memory.Contacts[id]
	if !m.OnHold || m.Ended || !out.Memory.LastEventAt.Equal(ev.EventTimestamp) {
		t.Fatalf("memory = %+v", out.Memory)
	}
	arn := Plan(ev, Memory{}, Options{AgentID: AgentIDARN})
	if arn.Actions[0].AgentID != ev.AgentARN {
		t.Fatalf("agent id by ARN = %q", arn.Actions[0].AgentID)
	}
}

// run plans events in order, threading the memory, and returns each event's
// actions.
func run(evs ...AgentEvent) ([]string, Memory) {
	var mem Memory
	var got []string
	for _, ev := range evs {
		out := Plan(ev, mem, Options{})
		mem = out.Memory
		s := summary(out.Actions)
		if out.Ignored != "" {
			s = "ignored " + out.Ignored
		}
		got = append(got, s)
	}
	return got, mem
}

func TestPlanScenarios(t *testing.T) {
	cases := []struct {
		name string
		evs  []AgentEvent
		want []string
	}{
		{
			name: "hold then unhold",
			evs: []AgentEvent{
				agentEvent("e1", 1, []Contact{voice("v", StateConnected)}, []Contact{voice("v", StateConnecting)}),
				agentEvent("e2", 2, []Contact{voice("v", StateConnectedOnHold)}, []Contact{voice("v", StateConnected)}),
				agentEvent("e3", 3, []Contact{voice("v", StateConnected)}, []Contact{voice("v", StateConnectedOnHold)}),
			},
			want: []string{"create v", "hold v", "unhold v"},
		},
		{
			name: "connecting creates nothing",
			evs: []AgentEvent{
				agentEvent("e1", 1, []Contact{voice("v", StateIncoming)}, nil),
				agentEvent("e2", 2, []Contact{voice("v", StateConnecting)}, nil),
				agentEvent("e3", 3, []Contact{voice("v", StateMissed)}, nil),
				agentEvent("e4", 4, nil, []Contact{voice("v", StateMissed)}),
			},
			want: []string{"", "", "", ""},
		},
		{
			name: "chat contacts before the voice contact",
			evs: []AgentEvent{
				agentEvent("e1", 1, []Contact{chat("c1", StateConnected), chat("c2", StateConnectedOnHold), voice("v", StateConnected)}, nil),
				agentEvent("e2", 2, []Contact{chat("c1", StateConnectedOnHold), chat("c2", StateConnected), voice("v", StateConnectedOnHold)}, nil),
				agentEvent("e3", 3, []Contact{chat("c2", StateEnded), voice("v", StateConnectedOnHold)}, []Contact{chat("c1", StateConnected)}),
			},
			want: []string{"create v", "hold v", "hold v"},
		},
		{
			name: "call ends while on hold",
			evs: []AgentEvent{
				agentEvent("e1", 1, []Contact{voice("v", StateConnectedOnHold)}, nil),
				agentEvent("e2", 2, []Contact{voice("v", StateEnded)}, []Contact{voice("v", StateConnectedOnHold)}),
				agentEvent("e3", 3, []Contact{voice("v", StateEnded)}, []Contact{voice("v", StateEnded)}),
				agentEvent("e4", 4, nil, []Contact{voice("v", StateEnded)}),
			},
			want: []string{"create v, hold v", "end v", "", ""},
		},
		{
			name: "contact leaves the snapshot",
			evs: []AgentEvent{
				agentEvent("e1", 1, []Contact{voice("v", StateConnected), voice("w", StateConnectedOnHold)}, nil),
				agentEvent("e2", 2, []Contact{voice("w", StateConnected)}, nil),
			},
			want: []string{"create v, create w, hold w", "unhold w, end v"},
		},
		{
			name: "left the previous snapshot though never seen",
			evs: []AgentEvent{
				agentEvent("e1", 1, nil, []Contact{voice("v", StateConnectedOnHold), voice("x", StateConnecting)}),
			},
			want: []string{"end v"},
		},
		{
			name: "ended though never seen live here",
			evs: []AgentEvent{
				agentEvent("e1", 1, []Contact{voice("v", StateEnded)}, []Contact{voice("v", StateConnected)}),
			},
			want: []string{"end v"},
		},
		{
			name: "duplicate and stale",
			evs: []AgentEvent{
				agentEvent("e2", 2, []Contact{voice("v", StateConnectedOnHold)}, nil),
				agentEvent("e2", 2, []Contact{voice("v", StateConnectedOnHold)}, nil),
				agentEvent("e1", 1, []Contact{voice("v", StateConnected)}, nil),
				agentEvent("e3", 3, []Contact{voice("v", StateConnected)}, nil),
			},
			want: []string{"create v, hold v", "ignored duplicate", "ignored stale", "unhold v"},
		},
		{
			name: "heartbeat heals a missed unhold",
			evs: []AgentEvent{
				agentEvent("e1", 1, []Contact{voice("v", StateConnectedOnHold)}, nil),
				// the STATE_CHANGE to CONNECTED was lost
				agentEvent("hb", 120, []Contact{voice("v", StateConnected)}, []Contact{voice("v", StateConnected)}),
			},
			want: []string{"create v, hold v", "unhold v"},
		},
		{
			name: "logout without contacts ends everything",
			evs: []AgentEvent{
				agentEvent("e1", 1, []Contact{voice("v", StateConnected)}, nil),
				agentEvent("e2", 2, []Contact{}, nil),
			},
			want: []string{"create v", "end v"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := run(tc.evs...)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestPlanTransferredContact(t *testing.T) {
	c := voice("v2", StateConnected)
	c.InitialContactID = "v1"
	out := Plan(agentEvent("e1", 1, []Contact{c}, nil), Memory{}, Options{})
	if len(out.Actions) != 1 || out.Actions[0].InitialContactID != "v1" {
		t.Fatalf("actions = %+v", out.Actions)
	}
	spec := out.Actions[0].Spec(conversation.InProgress, conversation.NotStarted)
	if spec.ID != "v2" || spec.Attributes[AttrInitialContactID] != "v1" || spec.Platform != Platform || spec.AgentID != "sobrien" {
		t.Fatalf("spec = %+v", spec)
	}
	// the contact leaves the snapshot: the end still names the root contact
	out = Plan(agentEvent("e2", 2, nil, nil), out.Memory, Options{})
	if summary(out.Actions) != "end v2" || out.Actions[0].InitialContactID != "v1" {
		t.Fatalf("actions = %+v", out.Actions)
	}
}

func TestPlanEventWithoutSnapshot(t *testing.T) {
	_, mem := run(agentEvent("e2", 2, []Contact{voice("v", StateConnected)}, nil))
	ev := agentEvent("e3", 3, nil, nil)
	ev.Current = nil
	out := Plan(ev, mem, Options{})
	if len(out.Actions) != 0 || out.Ignored != "" || len(out.Memory.Contacts) != 1 {
		t.Fatalf("outcome = %+v", out)
	}
	if Plan(ev, out.Memory, Options{}).Ignored != conversation.IgnoredDuplicate {
		t.Fatal("redelivery not recognised")
	}
}

func TestPlanDoesNotModifyMemory(t *testing.T) {
	_, mem := run(agentEvent("e1", 1, []Contact{voice("v", StateConnected)}, nil))
	before := fmt.Sprintf("%+v", mem)
	Plan(agentEvent("e2", 2, []Contact{voice("v", StateConnectedOnHold)}, nil), mem, Options{})
	if after := fmt.Sprintf("%+v", mem); after != before {
		t.Fatalf("memory changed:\n%s\n%s", before, after)
	}
}

func TestMemoryRecentEventsBounded(t *testing.T) {
	var mem Memory
	for i := range 3 * maxRecentEvents {
		mem = Plan(agentEvent(fmt.Sprint("e", i), i, nil, nil), mem, Options{}).Memory
	}
	if len(mem.RecentEvents) != maxRecentEvents || mem.RecentEvents[maxRecentEvents-1] != fmt.Sprint("e", 3*maxRecentEvents-1) {
		t.Fatalf("recent = %v", mem.RecentEvents)
	}
}

func TestActionInput(t *testing.T) {
	a := Action{Kind: ActionHold, At: t0, EventID: "e"}
	in, ok := a.Input()
	if !ok || in.Kind != conversation.KindHold || !in.At.Equal(t0) || in.EventID != "e" {
		t.Fatalf("input = %+v", in)
	}
	if _, ok := (Action{Kind: ActionCreate}).Input(); ok {
		t.Fatal("create has an input")
	}
}

// An event stamped far ahead of hush's clock is ignored and leaves the
// memory alone, so the real events after it still apply.
func TestPlanIgnoresFarFutureEvents(t *testing.T) {
	opt := Options{Now: t0, MaxClockSkew: time.Minute}
	out := Plan(agentEvent("bogus", 3600, []Contact{voice("v1", StateConnectedOnHold)}, nil), Memory{}, opt)
	if out.Ignored != IgnoredFuture || len(out.Actions) != 0 || !out.Memory.LastEventAt.IsZero() {
		t.Fatalf("far-future event: ignored %q, actions %v, memory %+v", out.Ignored, summary(out.Actions), out.Memory)
	}
	out = Plan(agentEvent("real", 1, []Contact{voice("v1", StateConnected)}, nil), out.Memory, opt)
	if out.Ignored != "" || summary(out.Actions) != "create v1" {
		t.Fatalf("the real event after it: ignored %q, actions %q", out.Ignored, summary(out.Actions))
	}
}
