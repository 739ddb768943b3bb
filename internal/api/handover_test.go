package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/store"
)

func (e *env) lastAudit(conv string) audit.Entry {
	e.t.Helper()
	entries, err := e.store.AuditEntries(context.Background(), store.AuditQuery{ConversationID: conv, Limit: 100000})
	if err != nil || len(entries) == 0 {
		e.t.Fatalf("audit of %s: %v (%d entries)", conv, err, len(entries))
	}
	return entries[len(entries)-1]
}

// After a transfer the new agent sees and controls the call and the old one
// no longer does; what was held stays held, and the transfer is audited.
func TestTransfer(t *testing.T) {
	e := newEnv(t)
	e.register("c1", "alice")
	e.mustDo(202, "POST", "/v1/conversations/c1/recording/pause", e.alice, nil)
	e.mustDo(202, "POST", "/v1/conversations/c1/hold", e.ingest, nil)

	if r := e.do("POST", "/v1/conversations/c1/transfer", e.alice, map[string]string{"agentId": "bob"}); r.status != 403 {
		t.Fatalf("an agent transferred a call: %d %s", r.status, r.body)
	}
	var v conversation.View
	e.mustDo(200, "POST", "/v1/conversations/c1/transfer", e.ingest, map[string]string{"agentId": "bob"}).decode(t, &v)
	if v.AgentID != "bob" {
		t.Fatalf("agent after transfer = %q", v.AgentID)
	}
	kinds := map[conversation.ReasonKind]bool{}
	for _, r := range v.Recording.PauseReasons {
		kinds[r.Kind] = true
	}
	if !kinds[conversation.Hold] || !kinds[conversation.Manual] || v.Recording.DesiredState != conversation.Paused {
		t.Fatalf("reasons after transfer = %+v", v.Recording.PauseReasons)
	}
	a := e.lastAudit("c1")
	if a.Action != "transfer" || a.Outcome != "applied" || !strings.Contains(a.Reason, "alice") || !strings.Contains(string(a.Detail), `"agentId":"bob"`) {
		t.Fatalf("transfer audit = %+v detail %s", a, a.Detail)
	}

	e.mustDo(200, "GET", "/v1/conversations/c1", e.bob, nil)
	e.mustDo(202, "POST", "/v1/conversations/c1/transcription/pause", e.bob, nil)
	if r := e.do("GET", "/v1/conversations/c1", e.alice, nil); r.status != 403 {
		t.Fatalf("the old agent still reads the call: %d", r.status)
	}
	if r := e.do("POST", "/v1/conversations/c1/recording/resume", e.alice, nil); r.status != 403 {
		t.Fatalf("the old agent still controls the call: %d", r.status)
	}
	var list struct{ Conversations []conversation.View }
	e.mustDo(200, "GET", "/v1/conversations", e.alice, nil).decode(t, &list)
	if len(list.Conversations) != 0 {
		t.Fatalf("the old agent still lists %d calls", len(list.Conversations))
	}

	for _, body := range []string{`{}`, `{"agentId":""}`, `{"agentId":"b","x":1}`, `{"agentId":` + `"` + strings.Repeat("a", 200) + `"}`} {
		before := e.auditCount()
		if r := e.do("POST", "/v1/conversations/c1/transfer", e.ingest, body); r.status != 400 || r.errorCode(t) == "" {
			t.Fatalf("transfer %s: %d %s", body, r.status, r.body)
		}
		if e.auditCount() != before {
			t.Fatalf("a refused transfer was audited")
		}
	}
	if r := e.do("POST", "/v1/conversations/nope/transfer", e.ingest, map[string]string{"agentId": "bob"}); r.status != 404 {
		t.Fatalf("transfer of an unknown call: %d", r.status)
	}
}

// A declined consent: nobody starts or resumes, not even an admin, and the
// answer cannot be taken back.
func TestConsentLock(t *testing.T) {
	e := newEnv(t)
	e.register("c1", "alice")
	if r := e.do("POST", "/v1/conversations/c1/consent", e.alice, map[string]string{"recording": "declined"}); r.status != 403 {
		t.Fatalf("an agent set consent: %d", r.status)
	}
	var v conversation.View
	e.mustDo(200, "POST", "/v1/conversations/c1/consent", e.ingest, map[string]string{"recording": "declined"}).decode(t, &v)
	if v.Consent != conversation.ConsentDeclined || v.Recording.DesiredState != conversation.Paused || v.Transcription.DesiredState != conversation.Paused {
		t.Fatalf("after decline: %+v", v)
	}
	for _, tc := range []struct{ key, path string }{
		{e.alice, "/v1/conversations/c1/recording/resume"},
		{e.alice, "/v1/conversations/c1/recording/start"},
		{e.super, "/v1/conversations/c1/transcription/start"},
		{e.admin, "/v1/conversations/c1/recording/resume"},
	} {
		r := e.do("POST", tc.path, tc.key, nil)
		if r.status != 403 || r.errorCode(t) != conversation.CodeConsentDeclined {
			t.Fatalf("%s: %d %s", tc.path, r.status, r.body)
		}
	}
	r := e.do("POST", "/v1/conversations/c1/consent", e.super, map[string]string{"recording": "granted"})
	if r.status != 403 || r.errorCode(t) != conversation.CodeConsentDeclined {
		t.Fatalf("granted after declined: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/v1/conversations/c1/consent", e.ingest, map[string]string{"recording": "maybe"}); r.status != 400 {
		t.Fatalf("consent maybe: %d", r.status)
	}
	e.mustDo(202, "POST", "/v1/conversations/c1/recording/stop", e.alice, nil)
}

// With agent pausing switched off, agents can neither pause nor resume;
// supervisors still can, and the refusal is audited.
func TestAgentPauseSwitch(t *testing.T) {
	e := newEnv(t, func(_ *engine.Config, c *api.Config) { c.DenyAgentPause = true })
	e.register("c1", "alice")
	for _, op := range []string{"pause", "resume", "start"} {
		before := e.auditCount()
		r := e.do("POST", "/v1/conversations/c1/recording/"+op, e.alice, nil)
		if r.status != 403 || r.errorCode(t) != api.CodeAgentPauseDisabled {
			t.Fatalf("agent %s: %d %s", op, r.status, r.body)
		}
		if e.auditCount() != before+1 || e.lastAudit("c1").Action != "access.denied" {
			t.Fatalf("agent %s refusal not audited", op)
		}
	}
	e.mustDo(202, "POST", "/v1/conversations/c1/recording/pause", e.super, nil)
	e.mustDo(202, "POST", "/v1/conversations/c1/recording/stop", e.alice, nil)

	open := newEnv(t)
	open.register("c1", "alice")
	open.mustDo(202, "POST", "/v1/conversations/c1/recording/pause", open.alice, nil)
}

// The per-key switch: one agent key kept from pausing, another of the same
// deployment free to.
func TestAgentPausePerKey(t *testing.T) {
	e := newEnv(t)
	e.register("c1", "alice")
	var created struct{ Key string }
	e.mustDo(201, "POST", "/v1/keys", e.admin, map[string]any{"role": "agent", "agentId": "alice", "mayPause": false}).decode(t, &created)
	r := e.do("POST", "/v1/conversations/c1/recording/pause", created.Key, nil)
	if r.status != 403 || r.errorCode(t) != api.CodeAgentPauseDisabled {
		t.Fatalf("pause with a no-pause key: %d %s", r.status, r.body)
	}
	e.mustDo(202, "POST", "/v1/conversations/c1/recording/pause", e.alice, nil)
	if r := e.do("POST", "/v1/keys", e.admin, map[string]any{"role": "supervisor", "mayPause": false}); r.status != 400 {
		t.Fatalf("mayPause false on a supervisor key: %d", r.status)
	}
}
