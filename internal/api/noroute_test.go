package api_test

import (
	"net/http"
	"testing"

	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/engine"
)

// A request under /v1 that no route takes is answered in the API's error
// shape, even with the console mounted beside the API; the console still
// serves everything else.
func TestUnknownRoutesAnswerTheErrorShape(t *testing.T) {
	console := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("console")) })
	e := newEnv(t, func(_ *engine.Config, c *api.Config) { c.Console = console })
	tests := []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"GET", "/v1/nope", 404, "not_found", ""},
		{"POST", "/v1/nope", 404, "not_found", ""},
		{"POST", "/v1/conversations/c1/recording", 404, "not_found", ""},
		{"DELETE", "/v1/conversations", 405, "method_not_allowed", "GET, POST"},
		{"GET", "/v1/conversations/c1/recording/pause", 405, "method_not_allowed", "POST"},
		{"PUT", "/v1/keys", 405, "method_not_allowed", "GET, POST"},
	}
	for _, tt := range tests {
		r := e.do(tt.method, tt.path, e.admin, nil)
		if r.status != tt.status {
			t.Errorf("%s %s: status %d, want %d: %s", tt.method, tt.path, r.status, tt.status, r.body)
			continue
		}
		if code := r.errorCode(t); code != tt.code {
			t.Errorf("%s %s: code %q, want %q", tt.method, tt.path, code, tt.code)
		}
		if got := r.header.Get("Allow"); got != tt.allow {
			t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, got, tt.allow)
		}
	}
	if r := e.mustDo(200, "GET", "/", "", nil); string(r.body) != "console" {
		t.Fatalf("GET / = %q, want the console", r.body)
	}
}
