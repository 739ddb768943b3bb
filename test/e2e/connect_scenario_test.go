package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/amazonconnect"
	"github.com/hush-cc/hush/internal/amazonconnect/connecttest"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/server"
)

const (
	stConnected = "CONNECTED"
	stOnHold    = "CONNECTED_ONHOLD"
	stEnded     = "ENDED"
)

var (
	connectVoice = connecttest.Voice
	connectChat  = connecttest.Chat
)

func connectAgent(id string) connecttest.Agent {
	return connecttest.Agent{ARN: connecttest.AgentARN(id), Username: id, FirstName: "Agent", LastName: id}
}

func suspendOK(c string) string { return "SuspendContactRecording " + c + " 200" }
func resumeOK(c string) string  { return "ResumeContactRecording " + c + " 200" }

// Each scenario runs hush serve in this process, feeds agent events through
// kinesalite and checks the exact Connect calls, in order.
func TestConnectScenarios(t *testing.T) {
	kin := startKinesalite(t)

	t.Run("hold then unhold", func(t *testing.T) {
		h := startConnectHush(t, kin, nil)
		s := connecttest.NewScript(connectAgent("ana"), connectT0)
		h.put(s.Next(connectVoice("c1", stConnected)), s.Next(connectVoice("c1", stOnHold)))
		h.expectCalls(suspendOK("c1"))
		h.put(s.Next(connectVoice("c1", stConnected)))
		h.expectCalls(suspendOK("c1"), resumeOK("c1"))
		h.put(s.Next())
		h.expectCalls(suspendOK("c1"), resumeOK("c1"))
		c := h.conversation("c1")
		if c.Platform != amazonconnect.Platform || c.AgentID != "ana" || c.CallState != conversation.Ended ||
			c.Recording.State != conversation.Stopped || c.Attributes[amazonconnect.AttrInitialContactID] != "c1" {
			t.Fatalf("conversation %+v", c)
		}
		for _, call := range h.connect.Calls() {
			// A hold suspends and resumes the agent's voice alone.
			if call.InstanceID != connecttest.InstanceID || call.InitialContactID != "c1" || call.ContactRecordingType != "AGENT" {
				t.Fatalf("call %+v", call)
			}
		}
	})

	t.Run("two hold cycles", func(t *testing.T) {
		h := startConnectHush(t, kin, nil)
		s := connecttest.NewScript(connectAgent("ben"), connectT0)
		var want []string
		h.put(s.Next(connectVoice("c1", stConnected)))
		for range 2 {
			h.put(s.Next(connectVoice("c1", stOnHold)))
			want = append(want, suspendOK("c1"))
			h.expectCalls(want...)
			h.put(s.Next(connectVoice("c1", stConnected)))
			want = append(want, resumeOK("c1"))
			h.expectCalls(want...)
		}
	})

	t.Run("duplicated records", func(t *testing.T) {
		h := startConnectHush(t, kin, nil)
		s := connecttest.NewScript(connectAgent("cy"), connectT0)
		e1, e2, e3 := s.Next(connectVoice("c1", stConnected)), s.Next(connectVoice("c1", stOnHold)), s.Next(connectVoice("c1", stConnected))
		// At-least-once delivery: each record again, with a new sequence number.
		h.put(e1, e1, e2, e2, e2)
		h.expectCalls(suspendOK("c1"))
		h.put(e3, e3, e2, e1)
		h.expectCalls(suspendOK("c1"), resumeOK("c1"))
	})

	t.Run("records replayed out of order", func(t *testing.T) {
		h := startConnectHush(t, kin, nil)
		s := connecttest.NewScript(connectAgent("dee"), connectT0)
		e1, e2, e3 := s.Next(connectVoice("c1", stConnected)), s.Next(connectVoice("c1", stOnHold)), s.Next(connectVoice("c1", stConnected))
		// A late record from before the unhold, never seen before, shows
		// the call on hold: it has been overtaken and changes nothing.
		late := e2
		late.ID, late.At = "dee-late", e2.At.Add(100*time.Millisecond)
		h.put(e1, e2)
		h.expectCalls(suspendOK("c1"))
		h.put(e3, e1, late, e2)
		h.expectCalls(suspendOK("c1"), resumeOK("c1"))
		if c := h.conversation("c1"); c.Recording.State != conversation.InProgress || c.CallState != conversation.Connected {
			t.Fatalf("conversation %+v", c)
		}
	})

	t.Run("chat contacts before the voice contact", func(t *testing.T) {
		h := startConnectHush(t, kin, nil)
		s := connecttest.NewScript(connectAgent("eve"), connectT0)
		h.put(s.Next(connectChat("chat1", stConnected), connectChat("chat2", stConnected), connectVoice("v1", stConnected)),
			s.Next(connectChat("chat1", stOnHold), connectChat("chat2", stConnected), connectVoice("v1", stOnHold)))
		h.expectCalls(suspendOK("v1"))
		h.put(s.Next(connectChat("chat1", stConnected), connectVoice("v1", stConnected)))
		h.expectCalls(suspendOK("v1"), resumeOK("v1"))
		var list struct {
			Conversations []conversation.View `json:"conversations"`
		}
		if h.do("GET", "/v1/conversations", nil, &list); len(list.Conversations) != 1 || list.Conversations[0].ID != "v1" {
			t.Fatalf("conversations %+v: only the voice contact is one", list.Conversations)
		}
	})

	t.Run("non-ASCII agent names", func(t *testing.T) {
		h := startConnectHush(t, kin, nil)
		a := connecttest.Agent{ARN: connecttest.AgentARN("siobhan"), Username: "siobhán.o’brien", FirstName: "Siobhán", LastName: "Ó Briain 王"}
		s := connecttest.NewScript(a, connectT0)
		h.put(s.Next(connectVoice("c1", stConnected)), s.Next(connectVoice("c1", stOnHold)))
		h.expectCalls(suspendOK("c1"))
		h.put(s.Next(connectVoice("c1", stConnected)))
		h.expectCalls(suspendOK("c1"), resumeOK("c1"))
		if c := h.conversation("c1"); c.AgentID != "siobhán.o’brien" {
			t.Fatalf("agentId %q", c.AgentID)
		}
	})

	t.Run("transferred contact", func(t *testing.T) {
		h := startConnectHush(t, kin, nil)
		s := connecttest.NewScript(connectAgent("fay"), connectT0)
		tr := func(state string) connecttest.Contact {
			return connecttest.Contact{ID: "c2", InitialID: "c1", State: state}
		}
		h.put(s.Next(tr(stConnected)), s.Next(tr(stOnHold)))
		h.expectCalls(suspendOK("c2"))
		h.put(s.Next(tr(stConnected)))
		h.expectCalls(suspendOK("c2"), resumeOK("c2"))
		for _, call := range h.connect.Calls() {
			if call.ContactID != "c2" || call.InitialContactID != "c1" {
				t.Fatalf("call %+v: want ContactId c2, InitialContactId c1", call)
			}
		}
	})

	t.Run("the call ends while on hold", func(t *testing.T) {
		h := startConnectHush(t, kin, nil)
		s := connecttest.NewScript(connectAgent("gus"), connectT0)
		h.put(s.Next(connectVoice("c1", stConnected)), s.Next(connectVoice("c1", stOnHold)))
		h.expectCalls(suspendOK("c1"))
		h.put(s.Next(connectVoice("c1", stEnded)), s.Next())
		h.expectCalls(suspendOK("c1"))
		if c := h.conversation("c1"); c.CallState != conversation.Ended || c.Recording.State != conversation.Stopped {
			t.Fatalf("conversation %+v", c)
		}
	})

	t.Run("manual pause then hold and unhold", func(t *testing.T) {
		h := startConnectHush(t, kin, nil)
		s := connecttest.NewScript(connectAgent("hal"), connectT0)
		h.put(s.Next(connectVoice("c1", stConnected)))
		h.expectCalls()
		if code := h.do("POST", "/v1/conversations/c1/recording/pause", []byte(`{"reason":"card number"}`), nil); code != http.StatusAccepted {
			t.Fatalf("pause: %d", code)
		}
		// A manual pause suspends the agent's voice and the screen.
		paused := []string{suspendOK("c1"), suspendOK("c1")}
		h.expectCalls(paused...)
		h.put(s.Next(connectVoice("c1", stOnHold)))
		h.expectCalls(paused...)
		h.put(s.Next(connectVoice("c1", stConnected)))
		// Rule 1: the unhold releases only the hold; the manual pause stands.
		h.expectCalls(paused...)
		c := h.conversation("c1")
		if c.Recording.State != conversation.Paused || len(c.Recording.Reasons) != 1 || c.Recording.Reasons[0].Kind != conversation.Manual {
			t.Fatalf("recording %+v", c.Recording)
		}
		if code := h.do("POST", "/v1/conversations/c1/recording/resume", nil, nil); code != http.StatusAccepted {
			t.Fatalf("resume: %d", code)
		}
		h.expectCalls(append(paused, resumeOK("c1"), resumeOK("c1"))...)
		if got := h.connect.Typed(); !slices.Equal(got, []string{"SuspendContactRecording AGENT", "SuspendContactRecording SCREEN",
			"ResumeContactRecording AGENT", "ResumeContactRecording SCREEN"}) {
			t.Fatalf("recording types of the calls: %q", got)
		}
	})

	t.Run("malformed and truncated records", func(t *testing.T) {
		h := startConnectHush(t, kin, nil)
		s := connecttest.NewScript(connectAgent("ivy"), connectT0)
		e1, e2, e3 := s.Next(connectVoice("c1", stConnected)), s.Next(connectVoice("c1", stOnHold)), s.Next(connectVoice("c1", stConnected))
		key := e1.Agent.ARN
		h.put(e1)
		h.putRaw(key, e2.JSON()[:len(e2.JSON())/2])
		h.putRaw(key, []byte("\xff\xfe not UTF-8"))
		h.putRaw(key, []byte(`{"EventType":"STATE_CHANGE"}`))
		h.put(e2)
		h.expectCalls(suspendOK("c1"))
		h.put(e3)
		h.expectCalls(suspendOK("c1"), resumeOK("c1"))
		var list struct {
			DeadLetters []amazonconnect.DeadLetter `json:"deadLetters"`
		}
		if code := h.do("GET", "/v1/ingest/connect/dead-letters", nil, &list); code != http.StatusOK {
			t.Fatalf("dead letters: %d", code)
		}
		var reasons []string
		for _, d := range list.DeadLetters {
			reasons = append(reasons, d.Reason)
			if d.Stream != h.stream || d.SequenceNumber == "" || d.PartitionKey != key || len(d.Data) == 0 || d.Error == "" {
				t.Fatalf("dead letter %+v", d)
			}
		}
		if fmt.Sprint(reasons) != "[invalid-event invalid-utf8 invalid-json]" {
			t.Fatalf("dead letter reasons, newest first: %v", reasons)
		}
	})

	t.Run("Connect throttles for a while", func(t *testing.T) {
		const gap = 100 * time.Millisecond
		h := startConnectHush(t, kin, func(c *server.ConnectConfig) { c.Rate, c.Burst = float64(time.Second/gap), 1 })
		h.connect.FailNext(3, connecttest.Throttled)
		var evs []connecttest.Event
		for i := range 3 {
			s := connecttest.NewScript(connectAgent(fmt.Sprint("jo", i)), connectT0)
			id := fmt.Sprint("c", i)
			evs = append(evs, s.Next(connectVoice(id, stConnected)), s.Next(connectVoice(id, stOnHold)))
		}
		h.put(evs...)
		waitConnect(t, "every suspend", func() bool { return h.settled() && len(h.connect.Calls()) >= 6 })
		calls := h.connect.Calls()
		ok := map[string]bool{}
		for i, c := range calls {
			if c.Operation != connecttest.OpSuspend || (i < 3) != (c.Status == http.StatusTooManyRequests) {
				t.Fatalf("call %d: %+v", i, c)
			}
			if c.Status == http.StatusOK {
				ok[c.ContactID] = true
			}
			// The limiter spaces every call, the throttled ones included.
			// The fake notes when a request arrived, not when it was sent:
			// on a busy machine one may arrive late and the next on time,
			// so a pair is held to half the gap and the run to the sum.
			if i > 0 && c.At.Sub(calls[i-1].At) < gap/2 {
				t.Fatalf("calls %d and %d only %v apart", i-1, i, c.At.Sub(calls[i-1].At))
			}
		}
		if len(calls) != 6 || len(ok) != 3 {
			t.Fatalf("calls %q", h.connect.Ops())
		}
		if span := calls[5].At.Sub(calls[0].At); span < 5*gap-gap/2 {
			t.Fatalf("six calls within %v, want them %v apart", span, gap)
		}
	})

	t.Run("Connect fails then succeeds", func(t *testing.T) {
		h := startConnectHush(t, kin, nil)
		h.connect.FailNext(1, connecttest.InternalError)
		s := connecttest.NewScript(connectAgent("kai"), connectT0)
		h.put(s.Next(connectVoice("c1", stConnected)), s.Next(connectVoice("c1", stOnHold)))
		h.expectCalls("SuspendContactRecording c1 500", suspendOK("c1"))
		h.put(s.Next(connectVoice("c1", stConnected)))
		h.expectCalls("SuspendContactRecording c1 500", suspendOK("c1"), resumeOK("c1"))
		var entries struct {
			Entries []struct {
				Action  string `json:"action"`
				Outcome string `json:"outcome"`
			} `json:"entries"`
		}
		h.do("GET", "/v1/audit?conversation=c1", nil, &entries)
		succeeded := 0
		for _, e := range entries.Entries {
			if e.Action == "backend.result" && e.Outcome == "succeeded" {
				succeeded++
			}
		}
		if succeeded != 2 {
			t.Fatalf("audit %+v: want both outcomes succeeded", entries.Entries)
		}
	})

	t.Run("HTTP ingest", func(t *testing.T) {
		h := startConnectHush(t, kin, nil)
		s := connecttest.NewScript(connectAgent("lee"), connectT0)
		e1, e2, e3 := s.Next(connectVoice("c1", stConnected)), s.Next(connectVoice("c1", stOnHold)), s.Next(connectVoice("c1", stConnected))
		body, _ := json.Marshal([]json.RawMessage{e1.JSON(), e2.JSON()})
		var reply struct {
			Results []amazonconnect.EventResult `json:"results"`
		}
		if code := h.do("POST", "/v1/ingest/connect/agent-events", body, &reply); code != http.StatusAccepted {
			t.Fatalf("ingest: %d", code)
		}
		if len(reply.Results) != 2 || reply.Results[0].Actions[0].Result != amazonconnect.ResultCreated ||
			reply.Results[1].Actions[0].Kind != amazonconnect.ActionHold || reply.Results[1].Actions[0].Result != amazonconnect.ResultApplied {
			t.Fatalf("results %+v", reply.Results)
		}
		// The same event again, alone: a duplicate.
		if code := h.do("POST", "/v1/ingest/connect/agent-events", e2.JSON(), &reply); code != http.StatusAccepted || reply.Results[0].Ignored != conversation.IgnoredDuplicate {
			t.Fatalf("again: %d %+v", code, reply.Results)
		}
		// One bad event refuses the whole body: nothing of it is applied.
		bad, _ := json.Marshal([]json.RawMessage{e3.JSON(), json.RawMessage(`{"EventId":"x"}`)})
		var refusal struct {
			Error struct {
				Code   string `json:"code"`
				Reason string `json:"reason"`
				Index  *int   `json:"index"`
			} `json:"error"`
		}
		if code := h.do("POST", "/v1/ingest/connect/agent-events", bad, &refusal); code != http.StatusBadRequest ||
			refusal.Error.Code != "invalid_agent_event" || refusal.Error.Reason != "invalid-event" || refusal.Error.Index == nil || *refusal.Error.Index != 1 {
			t.Fatalf("bad body: %d %+v", code, refusal)
		}
		h.expectCalls(suspendOK("c1"))
		if code := h.do("POST", "/v1/ingest/connect/agent-events", e3.JSON(), nil); code != http.StatusAccepted {
			t.Fatalf("ingest: %d", code)
		}
		h.expectCalls(suspendOK("c1"), resumeOK("c1"))
	})
}
