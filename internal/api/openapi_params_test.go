package api_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// The OpenAPI document lists every query parameter and header of every
// route in the route table, and a query parameter a route does not declare
// is refused rather than ignored.
func TestOpenAPIListsEveryParameter(t *testing.T) {
	e := newEnv(t)
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct{ Name, In string } `json:"parameters"`
		} `json:"paths"`
	}
	e.mustDo(200, "GET", "/v1/openapi.json", "", nil).decode(t, &doc)
	declared := 0
	for _, rt := range e.api.Routes() {
		op := doc.Paths[rt.Path][strings.ToLower(rt.Method)]
		for _, p := range rt.Params {
			declared++
			found := false
			for _, dp := range op.Parameters {
				found = found || (dp.Name == p.Name && dp.In == p.In)
			}
			if !found {
				t.Errorf("%s %s reads %s %q, which the OpenAPI document does not list", rt.Method, rt.Path, p.In, p.Name)
			}
		}
	}
	if declared < 12 {
		t.Fatalf("only %d parameters declared in the route table", declared)
	}
	for _, tc := range []struct{ path, key string }{
		{"/v1/conversations?status=live", e.admin},
		{"/v1/audit?convrsation=c1", e.admin},
		{"/v1/me?x=1", e.alice},
	} {
		r := e.do("GET", tc.path, tc.key, nil)
		if r.status != 400 || !strings.Contains(string(r.body), "unknown query parameter") {
			t.Errorf("GET %s: %d %s, want 400 naming the unknown parameter", tc.path, r.status, r.body)
		}
	}
	var events struct {
		Parameters []struct{ Name, In string } `json:"parameters"`
	}
	raw, _ := json.Marshal(doc.Paths["/v1/events"]["get"])
	_ = json.Unmarshal(raw, &events)
	hasHeader := false
	for _, p := range events.Parameters {
		hasHeader = hasHeader || (p.Name == "Last-Event-ID" && p.In == "header")
	}
	if !hasHeader {
		t.Fatal("GET /v1/events does not document the Last-Event-ID header")
	}
}
