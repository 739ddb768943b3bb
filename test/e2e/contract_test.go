package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/demo"
	"github.com/hush-cc/hush/internal/server"
)

// contractDir holds the server's answers that the JS tests of the console,
// the SDK and the compatibility shim read.
const contractDir = "../../test/contract"

// updateContract rewrites the fixtures from this run's answers.
const updateContract = "HUSH_UPDATE_CONTRACT"

// recordedCall is an ended demo call on a running hush with the recorder:
// it was held (the SBC's a=inactive), paid securely and paused by its
// agent with the agent's key.
type recordedCall struct {
	h  *liveHush
	id string
}

// recordDemoCall runs one call of the demo script against a real hush and
// waits until its recording and transcript are complete.
func recordDemoCall(t *testing.T, rtpPorts string) recordedCall {
	t.Helper()
	h := startLiveHush(t, func(c *server.Config) {
		c.Recorder = server.RecorderConfig{SIPListen: "127.0.0.1:0", RTPPorts: rtpPorts, ASR: "energy",
			AgentPattern: server.DefaultAgentPattern}
		c.CommitDelay = time.Second
	})
	// At eight times real speed the script takes about 6 s; the slot's
	// second call never starts within 8 s.
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	if err := demo.Run(ctx, demo.Config{SIP: h.sip, API: demo.API{Base: h.url, Key: h.admin}, Calls: 1, Speed: 8, Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatal(err)
	}
	var list struct {
		Conversations []struct{ ID string }
	}
	h.must(h.admin, "GET", "/v1/conversations?state=ended", "", http.StatusOK, &list)
	if len(list.Conversations) == 0 {
		t.Fatal("the demo call did not end")
	}
	id := list.Conversations[len(list.Conversations)-1].ID
	deadline := time.Now().Add(30 * time.Second)
	for {
		var seg, tr struct{ Complete bool }
		h.do(h.admin, "GET", "/v1/conversations/"+id+"/recording/segments", "", &seg)
		h.do(h.admin, "GET", "/v1/conversations/"+id+"/transcript", "", &tr)
		if seg.Complete && tr.Complete {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("recording of %s not complete: segments %v, transcript %v", id, seg.Complete, tr.Complete)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return recordedCall{h: h, id: id}
}

// TestContractFixtures writes what the real server answers about a recorded
// call into test/contract, where the JS tests read it. A committed fixture
// whose fields the server no longer sends fails this test: the JS tests
// would pass on data the server never sends. HUSH_UPDATE_CONTRACT=1
// rewrites the fixtures; the JS tests then say what no longer fits.
func TestContractFixtures(t *testing.T) {
	c := recordDemoCall(t, "47310-47409")
	h, id := c.h, c.id
	get := func(path string) json.RawMessage {
		var raw json.RawMessage
		h.must(h.admin, "GET", path, "", http.StatusOK, &raw)
		return raw
	}
	fixtures := map[string]json.RawMessage{
		"conversation.json":  get("/v1/conversations/" + id),
		"conversations.json": pageWith(t, h, id),
		"segments.json":      get("/v1/conversations/" + id + "/recording/segments"),
		"transcript.json":    get("/v1/conversations/" + id + "/transcript"),
		"timeline.json":      get("/v1/conversations/" + id + "/timeline"),
		"audit.json":         get("/v1/audit?conversation=" + url.QueryEscape(id) + "&limit=8"),
		"events.json":        conversationEvents(t, h, id),
	}
	checkDemoStory(t, fixtures)
	update := os.Getenv(updateContract) == "1"
	for name, fresh := range fixtures {
		path := filepath.Join(contractDir, name)
		pretty, err := json.MarshalIndent(fresh, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if update {
			if err := os.WriteFile(path, append(pretty, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		committed, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("fixture %s: %v (run with %s=1 to write it)", name, err, updateContract)
			continue
		}
		for _, p := range missingPaths(t, committed, fresh) {
			t.Errorf("%s: the fixture has %s, which the server no longer sends; run with %s=1 and fix the JS that reads it", name, p, updateContract)
		}
	}
}

// pageWith returns the page of one ended call that holds id, following
// next from the newest: the demo may have begun another call after it.
func pageWith(t *testing.T, h *liveHush, id string) json.RawMessage {
	t.Helper()
	path := "/v1/conversations?state=ended&limit=1"
	for range 10 {
		var raw json.RawMessage
		h.must(h.admin, "GET", path, "", http.StatusOK, &raw)
		var page struct {
			Conversations []struct{ ID string }
			Next          string
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			t.Fatal(err)
		}
		if len(page.Conversations) == 1 && page.Conversations[0].ID == id {
			return raw
		}
		if page.Next == "" {
			break
		}
		path = "/v1/conversations?state=ended&limit=1&cursor=" + url.QueryEscape(page.Next)
	}
	t.Fatalf("no page of ended calls holds %s", id)
	return nil
}

// checkDemoStory asserts the recorded call is the one the fixtures promise:
// paused spans of every kind, and the agent's pause audited as the agent.
func checkDemoStory(t *testing.T, f map[string]json.RawMessage) {
	t.Helper()
	var seg struct {
		Segments []struct {
			State   string
			Reasons []struct{ Kind string }
		}
	}
	if err := json.Unmarshal(f["segments.json"], &seg); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, s := range seg.Segments {
		for _, r := range s.Reasons {
			if s.State == "paused" {
				kinds[r.Kind] = true
			}
		}
	}
	if !kinds["source"] || !kinds["secure"] || !kinds["manual"] {
		t.Fatalf("segment map paused for %v, want source, secure and manual", kinds)
	}
	if !strings.Contains(string(f["timeline.json"]), `"by": "agent:`) && !strings.Contains(string(f["timeline.json"]), `"by":"agent:`) {
		t.Fatalf("the timeline's manual pause is not by an agent: %s", f["timeline.json"])
	}
}

// conversationEvents reads a conversation's whole history of events from
// the stream, as {id, type, data} objects, up to its end.
func conversationEvents(t *testing.T, h *liveHush, id string) json.RawMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", h.url+"/v1/events?after=0&conversation="+url.QueryEscape(id), nil)
	req.Header.Set("Authorization", "Bearer "+h.admin)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	type event struct {
		ID   string          `json:"id"`
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	var out []event
	var ev event
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "" && ev.Type != "":
			out = append(out, ev)
			if ev.Type == "conversation.ended" {
				b, _ := json.Marshal(out)
				return b
			}
			ev = event{}
		case strings.HasPrefix(line, "id: "):
			ev.ID = line[4:]
		case strings.HasPrefix(line, "event: "):
			ev.Type = line[7:]
		case strings.HasPrefix(line, "data: "):
			ev.Data = json.RawMessage(line[6:])
		}
	}
	t.Fatalf("the stream of %s ended before conversation.ended: %v", id, sc.Err())
	return nil
}

// missingPaths lists the fields (as paths; arrays as []) of committed that
// fresh lacks or gives another JSON type.
func missingPaths(t *testing.T, committed, fresh []byte) []string {
	t.Helper()
	var a, b any
	if err := json.Unmarshal(committed, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(fresh, &b); err != nil {
		t.Fatal(err)
	}
	want, have := map[string]string{}, map[string]string{}
	shape(a, "$", want)
	shape(b, "$", have)
	var out []string
	for p, typ := range want {
		if have[p] != typ {
			out = append(out, fmt.Sprintf("%s (%s)", p, typ))
		}
	}
	sort.Strings(out)
	return out
}

// shape records the JSON type at every path of v; array elements share
// the path p[].
func shape(v any, p string, into map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		into[p] = "object"
		for k, e := range x {
			shape(e, p+"."+k, into)
		}
	case []any:
		into[p] = "array"
		for _, e := range x {
			shape(e, p+"[]", into)
		}
	case string:
		into[p] = "string"
	case float64:
		into[p] = "number"
	case bool:
		into[p] = "boolean"
	case nil:
		if _, ok := into[p]; !ok {
			into[p] = "null"
		}
	}
}
