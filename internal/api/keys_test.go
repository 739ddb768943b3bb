package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/store"
)

type keyBody struct {
	ID        string    `json:"id"`
	Role      string    `json:"role"`
	AgentID   string    `json:"agentId"`
	Name      string    `json:"name"`
	ExpiresAt time.Time `json:"expiresAt"`
	RevokedAt time.Time `json:"revokedAt"`
	Status    string    `json:"status"`
	Key       string    `json:"key"`
}

func (e *env) auditOf(action string) []audit.Entry {
	e.t.Helper()
	entries, err := e.store.AuditEntries(context.Background(), store.AuditQuery{Limit: 100000})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []audit.Entry
	for _, en := range entries {
		if en.Action == action {
			out = append(out, en)
		}
	}
	return out
}

// The whole lifecycle through /v1/keys: a named agent key pauses under its
// name, is listed, revoked (then refused, and the refusal audited), and an
// admin key is rotated.
func TestKeyLifecycleThroughAPI(t *testing.T) {
	e := newEnv(t)
	var created keyBody
	e.mustDo(201, "POST", "/v1/keys", e.admin, map[string]any{"role": "agent", "agentId": "carol", "name": "Carol Díaz",
		"expiresAt": time.Now().Add(time.Hour)}).decode(t, &created)
	if created.Key == "" || created.Name != "Carol Díaz" || created.Status != "active" || created.ExpiresAt.IsZero() {
		t.Fatalf("created %+v", created)
	}
	e.register("c1", "carol")
	e.mustDo(202, "POST", "/v1/conversations/c1/recording/pause", created.Key, map[string]string{"reason": "card"})
	v := e.conversation("c1")
	if rs := v.Recording.PauseReasons; len(rs) != 1 || rs[0].ByName != "Carol Díaz" || rs[0].By != "agent:carol" {
		t.Fatalf("pause reasons %+v", rs)
	}
	if en := e.auditOf("command.pause"); len(en) != 1 || en[0].ActorName != "Carol Díaz" {
		t.Fatalf("pause audit %+v", en)
	}
	var list struct{ Keys []keyBody }
	e.mustDo(200, "GET", "/v1/keys", e.admin, nil).decode(t, &list)
	if len(list.Keys) != 6 || list.Keys[0].ID != created.ID || strings.Contains(string(e.do("GET", "/v1/keys", e.admin, nil).body), "hash") {
		t.Fatalf("list %+v", list.Keys)
	}
	e.mustDo(403, "GET", "/v1/keys", e.super, nil)

	var revoked keyBody
	e.mustDo(200, "POST", "/v1/keys/"+created.ID+"/revoke", e.admin, nil).decode(t, &revoked)
	if revoked.Status != "revoked" || revoked.RevokedAt.IsZero() {
		t.Fatalf("revoked %+v", revoked)
	}
	r := e.mustDo(401, "POST", "/v1/conversations/c1/recording/resume", created.Key, map[string]string{})
	if !strings.Contains(string(r.body), "revoked") {
		t.Fatalf("refusal body %s", r.body)
	}
	if en := e.auditOf("key.refused"); len(en) != 1 || en[0].Actor != "agent:carol" || en[0].Reason != "POST /v1/conversations/{id}/{capability}/{operation}" {
		t.Fatalf("refusal audit %+v", en)
	}
	if len(e.auditOf("key.revoke")) != 1 || len(e.auditOf("key.create")) != 6 {
		t.Fatal("key creation or revocation not audited")
	}
	e.mustDo(404, "POST", "/v1/keys/nosuch/revoke", e.admin, nil)
	e.mustDo(409, "POST", "/v1/keys/"+created.ID+"/rotate", e.admin, nil)

	var rotated keyBody
	e.mustDo(201, "POST", "/v1/keys/"+list.Keys[1].ID+"/rotate", e.admin, nil).decode(t, &rotated)
	if rotated.Key == "" || rotated.Role != list.Keys[1].Role || rotated.ID == list.Keys[1].ID {
		t.Fatalf("rotated %+v from %+v", rotated, list.Keys[1])
	}
	for _, bad := range []map[string]any{
		{"role": "admin", "name": strings.Repeat("x", 101)},
		{"role": "admin", "name": "two\nlines"},
		{"role": "admin", "expiresAt": time.Now().Add(-time.Minute)},
	} {
		if code := e.mustDo(400, "POST", "/v1/keys", e.admin, bad).errorCode(t); code == "" {
			t.Fatal("no error code")
		}
	}
	if err := e.store.VerifyAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A key refused on one route again and again costs the audit one entry at
// once and one with the count when the window closes, however many
// requests, and however long their paths.
func TestRepeatedDenialsAreCoalesced(t *testing.T) {
	e := newEnv(t, func(_ *engine.Config, a *api.Config) { a.DenialWindow = time.Hour; a.MaxBody = 1 << 20 })
	e.register("b1", "bob")
	before := e.auditCount()
	for range 20 {
		e.mustDo(403, "GET", "/v1/audit", e.alice, nil)
		e.mustDo(403, "GET", "/v1/conversations/b1", e.alice, nil)
	}
	if got := e.auditCount() - before; got != 2 {
		t.Fatalf("40 denials on 2 routes added %d entries, want 2 until the window closes", got)
	}
	e.api.CloseStreams()
	denied := e.auditOf("access.denied")
	if len(denied) != 4 {
		t.Fatalf("%d denial entries after the window closed, want 4", len(denied))
	}
	counts := map[string]int{}
	for _, d := range denied[2:] {
		var detail struct {
			Count int
			Route string
		}
		if err := json.Unmarshal(d.Detail, &detail); err != nil {
			t.Fatal(err)
		}
		counts[detail.Route] = detail.Count
		if wantConv := map[string]string{"GET /v1/audit": "", "GET /v1/conversations/{id}": "b1"}[detail.Route]; d.ConversationID != wantConv {
			t.Errorf("summary of %s names conversation %q, want %q", detail.Route, d.ConversationID, wantConv)
		}
	}
	if counts["GET /v1/audit"] != 19 || counts["GET /v1/conversations/{id}"] != 19 {
		t.Fatalf("repeat counts %v", counts)
	}
	for _, d := range denied {
		if len(d.Reason) > audit.MaxTextBytes || strings.Contains(d.Reason, "b1") {
			t.Fatalf("denial reason %q is not the route pattern", d.Reason)
		}
	}
}
