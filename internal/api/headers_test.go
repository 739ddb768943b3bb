package api_test

import (
	"testing"

	"github.com/hush-cc/hush/web/console"
)

// API answers carry the console's one Content-Security-Policy, so a JSON
// body opened as a page runs nothing.
func TestAPIContentSecurityPolicy(t *testing.T) {
	e := newEnv(t)
	for _, key := range []string{e.admin, ""} {
		r := e.do("GET", "/v1/audit", key, nil)
		if got := r.header.Get("Content-Security-Policy"); got != console.ContentSecurityPolicy {
			t.Errorf("GET /v1/audit (status %d): Content-Security-Policy %q, want %q", r.status, got, console.ContentSecurityPolicy)
		}
	}
}
