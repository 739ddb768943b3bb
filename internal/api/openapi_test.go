package api_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/engine"
)

// Every registered route is in the served OpenAPI document, every schema it
// references exists, and every documented route answers (is registered).
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	e := newEnv(t, func(_ *engine.Config, a *api.Config) {
		a.Recordings, a.ConnectIngest = fakeRecordings{}, &fakeIngest{}
	})
	var doc struct {
		OpenAPI    string                                `json:"openapi"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	r := e.mustDo(200, "GET", "/v1/openapi.json", "", nil)
	r.decode(t, &doc)
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	documented := 0
	for _, rt := range e.api.Routes() {
		op, ok := doc.Paths[rt.Path][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("route %s %s is not documented", rt.Method, rt.Path)
			continue
		}
		documented++
		if !strings.Contains(string(op), `"summary"`) {
			t.Errorf("route %s %s has no summary", rt.Method, rt.Path)
		}
	}
	count := 0
	for path, ops := range doc.Paths {
		for method := range ops {
			count++
			found := false
			for _, rt := range e.api.Routes() {
				found = found || (rt.Path == path && strings.ToLower(rt.Method) == method)
			}
			if !found {
				t.Errorf("documented %s %s is not a route", method, path)
			}
		}
	}
	if count != documented || documented < 20 {
		t.Fatalf("%d documented operations, %d routes", count, documented)
	}
	for _, ref := range regexp.MustCompile(`#/components/schemas/([A-Za-z]+)`).FindAllStringSubmatch(string(r.body), -1) {
		if _, ok := doc.Components.Schemas[ref[1]]; !ok {
			t.Errorf("schema %s is referenced but not defined", ref[1])
		}
	}
}
