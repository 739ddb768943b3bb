package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/integrity"
	"github.com/hush-cc/hush/internal/server"
	"github.com/hush-cc/hush/internal/store/sqlite"
)

const integrityFixture = "../../web/console/test/fixtures/recording-verify.json"

// GET /v1/conversations/{id}/recording/verify of a running recorder says
// intact, then changed, then missing, as the file on disk is edited and
// removed. The answers are the console's fixture (written with
// HUSH_WRITE_FIXTURES=1, else compared by shape).
func TestRecordingVerifyRoute(t *testing.T) {
	data := t.TempDir()
	h := startLiveHush(t, func(c *server.Config) {
		c.Data = data
		c.Recorder = server.RecorderConfig{SIPListen: "127.0.0.1:0", RTPPorts: "41100-41199", ASR: "none", Policy: "silence"}
	})
	h.register("call-sealed", "alice")
	dir := filepath.Join(data, server.RecordingsDir)
	wav, tr := filepath.Join(dir, "call-sealed.wav"), filepath.Join(dir, "call-sealed.transcript.json")
	for _, f := range []string{wav, tr} {
		if err := os.WriteFile(f, []byte("contents of "+filepath.Base(f)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// A second store on the same file, as a second process would open it.
	st, err := sqlite.Open(context.Background(), filepath.Join(data, server.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for kind, f := range map[string]string{integrity.Recording: wav, integrity.Transcript: tr} {
		if _, err := integrity.SealFile(context.Background(), st, "call-sealed", kind, f, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	answers := map[string]json.RawMessage{}
	check := func(name, want string) {
		t.Helper()
		var a struct{ Recording struct{ Status string } }
		var raw json.RawMessage
		h.must(h.admin, "GET", "/v1/conversations/call-sealed/recording/verify", "", 200, &raw)
		if err := json.Unmarshal(raw, &a); err != nil || a.Recording.Status != want {
			t.Fatalf("%s: %s", name, raw)
		}
		answers[name] = raw
	}
	check("intact", integrity.Intact)
	if err := os.WriteFile(wav, []byte("contents of call-sealed.wAv"), 0o600); err != nil {
		t.Fatal(err)
	}
	check("modified", integrity.Modified)
	if err := os.Remove(wav); err != nil {
		t.Fatal(err)
	}
	check("missing", integrity.Missing)
	h.register("call-unsealed", "alice")
	var raw json.RawMessage
	h.must(h.admin, "GET", "/v1/conversations/call-unsealed/recording/verify", "", 200, &raw)
	answers["unsealed"] = raw
	if code := h.do(h.newKey("agent", "bob"), "GET", "/v1/conversations/call-sealed/recording/verify", "", nil); code != 403 {
		t.Fatalf("another agent: %d, want 403", code)
	}

	live, _ := json.MarshalIndent(answers, "", "  ")
	if os.Getenv("HUSH_WRITE_FIXTURES") == "1" {
		if err := os.WriteFile(integrityFixture, append(live, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	saved, err := os.ReadFile(integrityFixture)
	if err != nil {
		t.Fatalf("%v (run HUSH_WRITE_FIXTURES=1 go test ./internal/server -run TestRecordingVerifyRoute)", err)
	}
	if got, want := fieldSet(t, saved), fieldSet(t, live); got != want {
		t.Fatalf("fixture fields %s, server's %s: rewrite it with HUSH_WRITE_FIXTURES=1", got, want)
	}
}

// fieldSet lists, per answer and file kind, the status and field names.
func fieldSet(t *testing.T, b []byte) string {
	t.Helper()
	var v map[string]map[string]map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for name, a := range v {
		for kind, r := range a {
			key := name + "/" + kind
			out[key] = append(out[key], r["status"].(string))
			for f := range r {
				out[key] = append(out[key], f)
			}
		}
	}
	for k := range out {
		slices.Sort(out[k][1:])
	}
	j, _ := json.Marshal(out)
	return string(j)
}
