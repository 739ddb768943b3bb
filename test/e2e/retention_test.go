package e2e

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/server"
	"github.com/hush-cc/hush/internal/server/servertest"
)

func call(t *testing.T, method, url, key, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A legal hold is set, read and released through the API, each change
// audited under the caller's name; bad input changes nothing.
func TestLegalHoldRoutes(t *testing.T) {
	h := servertest.Start(t, server.Config{Data: t.TempDir(), Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler),
		Retention: server.RetentionConfig{Recordings: 24 * time.Hour}})
	admin, _ := h.AdminKey()
	u := h.URL()
	if code, body := call(t, "POST", u+"/v1/conversations/c1/legal-hold", admin, `{"reason":"case 42"}`); code != 404 {
		t.Fatalf("hold on an unknown conversation: %d %s", code, body)
	}
	if code, _ := call(t, "POST", u+"/v1/conversations", admin, `{"id":"c1","agentId":"alice"}`); code != 201 {
		t.Fatalf("register: %d", code)
	}
	for _, bad := range []string{`{"reason":1}`, `{"why":"x"}`, `{"reason":"` + strings.Repeat("x", 501) + `"}`, `{} {}`} {
		if code, _ := call(t, "POST", u+"/v1/conversations/c1/legal-hold", admin, bad); code != 400 {
			t.Errorf("body %.40s: status %d, want 400", bad, code)
		}
	}
	if code, _ := call(t, "GET", u+"/v1/conversations/c1/legal-hold", admin, ""); code != 404 {
		t.Fatalf("hold before set: %d", code)
	}
	code, body := call(t, "POST", u+"/v1/conversations/c1/legal-hold", admin, `{"reason":"case 42"}`)
	var hold struct{ ConversationID, By, Reason string }
	if err := json.Unmarshal([]byte(body), &hold); code != 200 || err != nil || hold.Reason != "case 42" || !strings.HasPrefix(hold.By, "admin:") {
		t.Fatalf("set: %d %s", code, body)
	}
	if code, _ := call(t, "GET", u+"/v1/conversations/c1/legal-hold", admin, ""); code != 200 {
		t.Fatalf("get: %d", code)
	}
	if code, _ := call(t, "DELETE", u+"/v1/conversations/c1/legal-hold", admin, ""); code != 204 {
		t.Fatalf("release: %d", code)
	}
	if code, _ := call(t, "DELETE", u+"/v1/conversations/c1/legal-hold", admin, ""); code != 404 {
		t.Fatalf("release twice: %d", code)
	}
	_, audit := call(t, "GET", u+"/v1/audit?conversation=c1", admin, "")
	if !strings.Contains(audit, "legal-hold.set") || !strings.Contains(audit, "legal-hold.released") {
		t.Fatalf("audit %s", audit)
	}
}
