package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/hush-cc/hush/internal/testwait"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/clock/clocktest"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
)

func TestPauseResumeOverHTTPWithEvents(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.register("c1", "alice")
	events, _ := e.stream(ctx, "/v1/events?conversation=c1", e.alice, "")

	var acc api.CommandAccepted
	e.mustDo(202, "POST", "/v1/conversations/c1/recording/pause", e.alice, map[string]any{"reason": "card number", "retroactiveMs": 2000}).decode(t, &acc)
	if acc.TransactionID == "" || acc.ConversationID != "c1" || acc.Capability != "recording" || acc.Operation != "pause" ||
		acc.DesiredState != conversation.Paused || len(acc.PauseReasons) != 1 || acc.PauseReasons[0].Kind != conversation.Manual {
		t.Fatalf("pause accepted = %+v", acc)
	}
	if lag := time.Since(acc.EffectiveAt); lag < 1900*time.Millisecond {
		t.Fatalf("retroactive pause effective %v ago, want about 2s", lag)
	}
	ev := next(t, events, func(ev sseEvent) bool {
		return ev.Type == "recording.operation.completed" && strings.Contains(string(ev.Data), acc.TransactionID)
	})
	var op conversation.OperationCompleted
	if err := json.Unmarshal(ev.Data, &op); err != nil {
		t.Fatal(err)
	}
	if op.Result != "succeeded" || op.CurrentState != conversation.Paused || op.DesiredState != conversation.Paused ||
		op.LiveWorkItemID != "c1" || op.Reason != "card number" {
		t.Fatalf("operation event = %+v", op)
	}

	e.mustDo(202, "POST", "/v1/conversations/c1/recording/resume", e.alice, nil).decode(t, &acc)
	next(t, events, func(ev sseEvent) bool {
		return ev.Type == "recording.operation.completed" && strings.Contains(string(ev.Data), acc.TransactionID)
	})
	if v := e.conversation("c1"); v.Recording.State != conversation.InProgress || len(v.Recording.PauseReasons) != 0 {
		t.Fatalf("after resume: %+v", v.Recording)
	}
}

func TestEventsResumeFromLastEventID(t *testing.T) {
	e := newEnv(t)
	e.register("c1", "alice")
	e.mustDo(202, "POST", "/v1/conversations/c1/hold", e.ingest, nil)
	ctx, cancel := context.WithCancel(context.Background())
	all, _ := e.stream(ctx, "/v1/events?after=0", e.admin, "")
	first := next(t, all, ofType("conversation.created"))
	cancel()

	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	rest, _ := e.stream(ctx2, "/v1/events", e.admin, first.ID)
	ev := next(t, rest, func(sseEvent) bool { return true })
	if ev.ID == first.ID || ev.Type == "conversation.created" {
		t.Fatalf("resumed stream repeated event %s %s", ev.ID, ev.Type)
	}
	var a, b int
	fmt.Sscan(first.ID, &a)
	fmt.Sscan(ev.ID, &b)
	if b != a+1 {
		t.Fatalf("resumed at %d after %d: an event was skipped", b, a)
	}
}

func TestAgentsSeeAndControlOnlyTheirOwn(t *testing.T) {
	e := newEnv(t)
	e.register("a1", "alice")
	e.register("b1", "bob")
	var list struct{ Conversations []conversation.View }
	e.mustDo(200, "GET", "/v1/conversations", e.alice, nil).decode(t, &list)
	if len(list.Conversations) != 1 || list.Conversations[0].ID != "a1" {
		t.Fatalf("alice lists %+v", list.Conversations)
	}
	before := e.auditCount()
	r := e.mustDo(403, "POST", "/v1/conversations/b1/recording/pause", e.alice, nil)
	if r.errorCode(t) != "forbidden" {
		t.Fatal("wrong code")
	}
	e.mustDo(403, "GET", "/v1/conversations/b1", e.alice, nil)
	if got := e.auditCount(); got != before+2 {
		t.Fatalf("denials audited: %d new entries, want 2", got-before)
	}
	if v := e.conversation("b1"); len(v.Recording.PauseReasons) != 0 {
		t.Fatal("a denied pause changed state")
	}
	e.mustDo(403, "GET", "/v1/events?conversation=b1", e.alice, nil)
	e.mustDo(403, "POST", "/v1/conversations", e.alice, map[string]string{"id": "x"})
	e.mustDo(403, "GET", "/v1/audit", e.alice, nil)
	e.mustDo(202, "POST", "/v1/conversations/b1/recording/pause", e.super, nil)

	// alice's event stream carries only her conversation.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	evs, _ := e.stream(ctx, "/v1/events", e.alice, "")
	e.mustDo(202, "POST", "/v1/conversations/b1/hold", e.ingest, nil)
	e.mustDo(202, "POST", "/v1/conversations/a1/hold", e.ingest, nil)
	ev := next(t, evs, ofType("conversation.updated"))
	for ; ; ev = next(t, evs, func(sseEvent) bool { return true }) {
		if strings.Contains(string(ev.Data), `"b1"`) {
			t.Fatalf("alice received bob's event %s", ev.Data)
		}
		if strings.Contains(string(ev.Data), `"a1"`) && strings.Contains(string(ev.Data), "on-hold") {
			break
		}
	}
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	e.mustDo(401, "GET", "/v1/conversations", "", nil)
	e.mustDo(401, "GET", "/v1/conversations", "hush_nope_nope", nil)
	e.mustDo(401, "GET", "/v1/conversations", e.admin+"x", nil)
	e.mustDo(200, "GET", "/healthz", "", nil)
	// The auth scheme is case-insensitive (RFC 9110).
	req, _ := http.NewRequest("GET", e.srv.URL+"/v1/me", nil)
	req.Header.Set("Authorization", "bearer "+e.alice)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("lower-case bearer: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	e.mustDo(401, "GET", "/metrics", "", nil)
	var me struct{ Role, AgentID string }
	e.mustDo(200, "GET", "/v1/me", e.alice, nil).decode(t, &me)
	if me.Role != "agent" || me.AgentID != "alice" {
		t.Fatalf("me = %+v", me)
	}
}

func TestRulesOverHTTP(t *testing.T) {
	e := newEnv(t)
	e.register("c1", "alice")
	// An agent's resume never releases a hold (rule 1).
	e.mustDo(202, "POST", "/v1/conversations/c1/hold", e.ingest, nil)
	e.mustDo(202, "POST", "/v1/conversations/c1/recording/pause", e.alice, nil)
	e.mustDo(202, "POST", "/v1/conversations/c1/unhold", e.ingest, nil)
	var acc api.CommandAccepted
	e.mustDo(202, "POST", "/v1/conversations/c1/recording/resume", e.super, nil).decode(t, &acc)
	if acc.DesiredState != conversation.Paused {
		t.Fatalf("a supervisor's resume released alice's pause: %+v", acc)
	}
	// A conversation that ends while paused is stopped (rule 3), and
	// further commands are refused without a change.
	e.mustDo(202, "POST", "/v1/conversations/c1/end", e.ingest, nil)
	v := e.conversation("c1")
	if v.Recording.DesiredState != conversation.Stopped {
		t.Fatalf("ended while paused: desired %s", v.Recording.DesiredState)
	}
	if code := e.mustDo(409, "POST", "/v1/conversations/c1/recording/resume", e.alice, nil).errorCode(t); code != "conversation_ended" {
		t.Fatalf("code %s", code)
	}
	// A duplicate end changes nothing.
	e.mustDo(202, "POST", "/v1/conversations/c1/end", e.ingest, nil)
}

// A secure session that outlives its ttl expires and the recording
// resumes, on the engine's clock: its expiry timer runs within Advance.
func TestSecureSessionExpiresAndResumes(t *testing.T) {
	clk := clocktest.New(time.Now())
	e := newEnv(t, func(ec *engine.Config, a *api.Config) { ec.Clock, a.Now = clk, clk.Now })
	e.register("c1", "alice")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	evs, _ := e.stream(ctx, "/v1/events?conversation=c1", e.alice, "")
	var s api.SecureSessionCreated
	e.mustDo(201, "POST", "/v1/conversations/c1/secure-sessions", e.alice, map[string]int{"ttlSeconds": 1}).decode(t, &s)
	if s.ID == "" || s.State != conversation.SessionActive || s.CompleteURL == "" {
		t.Fatalf("secure session = %+v", s)
	}
	// The agent's own resume does not end a secure session (rule 1).
	var acc api.CommandAccepted
	e.mustDo(202, "POST", "/v1/conversations/c1/recording/resume", e.alice, nil).decode(t, &acc)
	if acc.DesiredState != conversation.Paused {
		t.Fatalf("resume released the secure pause: %+v", acc)
	}
	clk.Advance(time.Second - time.Millisecond)
	if v := e.conversation("c1"); v.Recording.DesiredState != conversation.Paused {
		t.Fatalf("the secure pause was released before its ttl: %+v", v.Recording)
	}
	clk.Advance(time.Second)
	next(t, evs, ofType("secure-session.expired"))
	next(t, evs, ofType("pause.auto-resumed"))
	testwait.Eventually(t, func() (bool, error) {
		return e.conversation("c1").Recording.State == conversation.InProgress, nil
	}, "the recording to resume after expiry")
	e.mustDo(409, "POST", "/v1/secure-sessions/"+s.ID+"/complete", e.alice, nil)
}

func TestSecureSessionCompletesWithToken(t *testing.T) {
	e := newEnv(t, func(_ *engine.Config, a *api.Config) {
		a.SecurePageURL = "https://pay.example/?s={sessionId}&done={completeUrl}"
	})
	e.register("c1", "alice")
	var s api.SecureSessionCreated
	e.mustDo(201, "POST", "/v1/conversations/c1/secure-sessions", e.alice, nil).decode(t, &s)
	if !strings.HasPrefix(s.SecureURL, "https://pay.example/?s="+s.ID+"&done=%2Fv1%2Fsecure-sessions%2F") {
		t.Fatalf("secure url = %s", s.SecureURL)
	}
	e.mustDo(401, "POST", "/v1/secure-sessions/"+s.ID+"/complete?token=wrong", "", nil)
	e.mustDo(401, "POST", "/v1/secure-sessions/"+s.ID+"/complete", "", nil)
	e.mustDo(403, "POST", "/v1/secure-sessions/"+s.ID+"/complete", e.bob, nil)
	var done conversation.SecureSession
	e.mustDo(200, "POST", s.CompleteURL, "", nil).decode(t, &done)
	if done.State != conversation.SessionCompleted {
		t.Fatalf("completed session = %+v", done)
	}
	if v := e.conversation("c1"); v.Recording.DesiredState != conversation.InProgress {
		t.Fatalf("after completion: %+v", v.Recording)
	}
	if strings.Contains(string(e.mustDo(200, "GET", "/v1/conversations/c1", e.admin, nil).body), "tokenHash") {
		t.Fatal("the completion token hash leaks in the conversation view")
	}
}

func TestMetricsAreExposed(t *testing.T) {
	e := newEnv(t)
	e.register("c1", "alice")
	e.mustDo(202, "POST", "/v1/conversations/c1/hold", e.ingest, nil)
	body := string(e.mustDo(200, "GET", "/metrics", e.admin, nil).body)
	for _, want := range []string{
		`hush_http_requests_total{code="202",method="POST",route="/v1/conversations/{id}/hold"} 1`,
		`hush_paused_conversations{reason="hold"} 1`,
		"hush_reconciler_lag_seconds",
		"hush_http_request_duration_seconds_bucket",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	testwait.Eventually(t, func() (bool, error) {
		return strings.Contains(string(e.mustDo(200, "GET", "/metrics", e.admin, nil).body), `hush_operations_total{capability="recording",operation="pause",result="succeeded"} 1`), nil
	}, "the operations counter to count the hold's pause")
}

func TestCORSAllowsOnlyConfiguredOrigins(t *testing.T) {
	e := newEnv(t, func(_ *engine.Config, a *api.Config) { a.AllowedOrigins = []string{"https://desk.example"} })
	pre := func(origin string) *http.Response {
		req, _ := http.NewRequest("OPTIONS", e.srv.URL+"/v1/conversations", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := pre("https://desk.example"); r.StatusCode != 204 || r.Header.Get("Access-Control-Allow-Origin") != "https://desk.example" {
		t.Fatalf("allowed origin: %d %v", r.StatusCode, r.Header)
	}
	if r := pre("https://evil.example"); r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("a foreign origin was allowed")
	} else if r.Header.Get("Vary") != "Origin" {
		t.Fatalf("answer to a foreign origin: Vary %q, want Origin", r.Header.Get("Vary"))
	}
}
