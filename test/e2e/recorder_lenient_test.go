package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hush-cc/hush/internal/server"
)

// TestLenientSIPpScenarios runs the scenarios in the style of SRCs that
// mark a recording session only by its metadata part (no Require:
// siprec, no +sip.src, sendrecv): hush records them, and refuses them all
// under --siprec-strict, creating nothing.
func TestLenientSIPpScenarios(t *testing.T) {
	requireSipp(t)
	h := startHush(t, "44400-44499")
	strict, _ := startHushWith(t, "44500-44599", func(c *server.Config) { c.Recorder.SIPStrict = true })
	for i, sc := range []struct{ file, source string }{
		{"lenient-quick.xml", ""},
		{"lenient-hold.xml", "event.source-pause"},
		{"lenient-bare.xml", ""},
	} {
		t.Run(sc.file, func(t *testing.T) {
			id := strings.TrimSuffix(sc.file, ".xml") + "-1"
			if out, err := sippCall(t, h.sip.String(), sc.file, "u1", id, 44700+100*i); err != nil {
				t.Fatalf("sipp: %v\n%s", err, out)
			}
			m := h.waitFinalized(id)
			if m.Stats == nil || m.Stats.Caller.Packets < 40 {
				t.Fatalf("stream stats %+v", m.Stats)
			}
			var list auditEntries
			h.do("GET", "/v1/audit?conversation="+id, "", &list)
			if sc.source != "" {
				effectiveAt(t, list, sc.source)
			}

			sid := "strict-" + id
			if out, err := sippCall(t, strict.sip.String(), sc.file, "u1", sid, 43500+10*i); err == nil || !strings.Contains(out, "488") {
				t.Fatalf("sipp against --siprec-strict: %v\n%s", err, out)
			}
			if st := strict.do("GET", "/v1/conversations/"+sid, "", nil); st != 404 {
				t.Fatalf("a refused INVITE made conversation %s: %d", sid, st)
			}
			if entries, _ := os.ReadDir(filepath.Join(strict.data, server.RecordingsDir)); len(entries) != 0 {
				t.Fatalf("a refused INVITE left files: %v", entries)
			}
		})
	}
}

// TestRefusedDuplicateServesNoTranscript sends an INVITE whose Call-ID
// names a conversation hush has from elsewhere: it is refused, and no
// recording, transcript or audit entry appears for that conversation.
func TestRefusedDuplicateServesNoTranscript(t *testing.T) {
	requireSipp(t)
	h := startHush(t, "45000-45099")
	const id = "elsewhere-dup-1"
	if st := h.do("POST", "/v1/conversations", `{"id":"`+id+`","agentId":"alice","recording":"in-progress"}`, nil); st != 201 {
		t.Fatalf("create: %d", st)
	}
	var before auditEntries
	h.do("GET", "/v1/audit?conversation="+id, "", &before)
	out, err := sippCall(t, h.sip.String(), "oracle.xml", "t1", id, 45200)
	if err == nil || !strings.Contains(out, "403") {
		t.Fatalf("sipp with an existing conversation's Call-ID: %v\n%s", err, out)
	}
	for _, p := range []string{"/transcript", "/recording.wav", "/recording/segments"} {
		if st := h.do("GET", "/v1/conversations/"+id+p, "", nil); st != 404 {
			t.Fatalf("%s after the refusal: %d, want 404", p, st)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(h.data, server.RecordingsDir))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), id) {
			t.Fatalf("the refusal left %s", e.Name())
		}
	}
	var after auditEntries
	h.do("GET", "/v1/audit?conversation="+id, "", &after)
	if len(after.Entries) != len(before.Entries) {
		t.Fatalf("the refusal wrote %d audit entries", len(after.Entries)-len(before.Entries))
	}
}
