package api_test

import (
	"strings"
	"testing"
)

// Every malformed request gets a 4xx with the documented error body, and
// changes neither state nor the audit chain.
func TestBadInputChangesNothing(t *testing.T) {
	e := newEnv(t)
	e.register("c1", "alice")
	e.mustDo(202, "POST", "/v1/conversations/c1/recording/stop", e.alice, nil)
	waitStopped := func() {
		for i := 0; i < 500 && e.conversation("c1").Recording.State != "stopped"; i++ {
			e.conversation("c1")
		}
	}
	waitStopped()
	before := e.conversation("c1")
	audits := e.auditCount()
	cases := []struct {
		name, method, path, key string
		body                    any
		status                  int
		code                    string
	}{
		{"malformed json", "POST", "/v1/conversations/c1/transcription/pause", e.alice, `{"reason":`, 400, "invalid_json"},
		{"unknown field", "POST", "/v1/conversations/c1/transcription/pause", e.alice, `{"reason":"x","why":"y"}`, 400, "invalid_json"},
		{"wrong type", "POST", "/v1/conversations/c1/transcription/pause", e.alice, `{"retroactiveMs":"soon"}`, 400, "invalid_json"},
		{"trailing data", "POST", "/v1/conversations/c1/transcription/pause", e.alice, `{} {}`, 400, "invalid_json"},
		{"trailing brace", "POST", "/v1/conversations/c1/transcription/pause", e.alice, `{"reason":"x"}}`, 400, "invalid_json"},
		{"trailing bracket", "POST", "/v1/conversations/c1/transcription/pause", e.alice, `{"reason":"x"}]`, 400, "invalid_json"},
		{"negative retroactive", "POST", "/v1/conversations/c1/transcription/pause", e.alice, `{"retroactiveMs":-5}`, 400, "invalid_request"},
		{"not utf-8", "POST", "/v1/conversations/c1/transcription/pause", e.alice, []byte("{\"reason\":\"\xff\"}"), 400, "invalid_json"},
		{"oversized", "POST", "/v1/conversations/c1/transcription/pause", e.alice, `{"reason":"` + strings.Repeat("a", 5000) + `"}`, 413, "body_too_large"},
		{"unknown conversation", "POST", "/v1/conversations/nope/recording/pause", e.admin, nil, 404, "not_found"},
		{"unknown capability", "POST", "/v1/conversations/c1/video/pause", e.alice, nil, 404, "not_found"},
		{"unknown operation", "POST", "/v1/conversations/c1/recording/rewind", e.alice, nil, 404, "not_found"},
		{"resume a stopped recording", "POST", "/v1/conversations/c1/recording/resume", e.alice, nil, 409, "capability_stopped"},
		{"register twice", "POST", "/v1/conversations", e.ingest, `{"id":"c1"}`, 409, "already_exists"},
		{"register bad id", "POST", "/v1/conversations", e.ingest, `{"id":"../etc"}`, 400, "invalid_request"},
		{"register bad state", "POST", "/v1/conversations", e.ingest, `{"id":"c2","recording":"paused"}`, 400, "invalid_request"},
		{"hold bad time", "POST", "/v1/conversations/c1/hold", e.ingest, `{"at":"yesterday"}`, 400, "invalid_json"},
		{"secure ttl too long", "POST", "/v1/conversations/c1/secure-sessions", e.alice, `{"ttlSeconds":999999}`, 400, "invalid_request"},
		{"complete unknown session", "POST", "/v1/secure-sessions/nope/complete", e.alice, nil, 404, "not_found"},
		{"bad Last-Event-ID", "GET", "/v1/events?after=x", e.admin, nil, 400, "invalid_request"},
		{"bad audit limit", "GET", "/v1/audit?limit=0", e.admin, nil, 400, "invalid_request"},
		{"key with bad role", "POST", "/v1/keys", e.admin, `{"role":"god"}`, 400, "invalid_request"},
		{"agent key without agent", "POST", "/v1/keys", e.admin, `{"role":"agent"}`, 400, "invalid_request"},
		{"webhook bad url", "POST", "/v1/webhooks", e.admin, `{"url":"ftp://x"}`, 400, "invalid_request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(c.method, c.path, c.key, c.body)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if got := r.errorCode(t); got != c.code {
				t.Fatalf("code %q, want %q", got, c.code)
			}
		})
	}
	after := e.conversation("c1")
	if after.Version != before.Version || after.Transcription.DesiredState != before.Transcription.DesiredState {
		t.Fatalf("bad input changed the conversation: version %d -> %d", before.Version, after.Version)
	}
	if got := e.auditCount(); got != audits {
		t.Fatalf("bad input was audited: %d -> %d entries", audits, got)
	}
}
