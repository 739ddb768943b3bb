package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zaf/g711"

	"github.com/hush-cc/hush/internal/amazonconnect/connecttest"
	"github.com/hush-cc/hush/internal/amazonconnect/peertest"
	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/demo"
	"github.com/hush-cc/hush/internal/media"
	"github.com/hush-cc/hush/internal/server"
	"github.com/hush-cc/hush/internal/server/servertest"
	"github.com/hush-cc/hush/internal/store/postgres"
	"github.com/hush-cc/hush/internal/store/postgres/pgtest"
	"github.com/hush-cc/hush/internal/testwait"
)

// clusterNode starts a hush node on the PostgreSQL database url.
func clusterNode(t *testing.T, url string, tune func(*server.Config)) *server.Server {
	t.Helper()
	cfg := server.Config{Data: t.TempDir(), Listen: "127.0.0.1:0", StoreURL: url, CommitDelay: time.Second,
		ReconcileEvery: 200 * time.Millisecond, Cluster: server.ClusterConfig{Lease: 2 * time.Second},
		Logger: slog.New(slog.DiscardHandler)}
	if tune != nil {
		tune(&cfg)
	}
	return servertest.Start(t, cfg)
}

// clusterKey is the first admin key, written by whichever node came first.
func clusterKey(t *testing.T, nodes ...*server.Server) string {
	t.Helper()
	for _, n := range nodes {
		if n.AdminKeyFile() != "" {
			k, err := n.AdminKey()
			if err != nil {
				t.Fatal(err)
			}
			return k
		}
	}
	t.Fatal("no node made the first admin key")
	return ""
}

// verifiedStore opens the database at url for the rest of the test, once
// its audit chain has verified.
func verifiedStore(t *testing.T, url string) *postgres.Store {
	t.Helper()
	ctx := context.Background()
	st, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

// tone440 is a second of a 440 Hz tone in PCMU.
func tone440() []byte {
	out := make([]byte, media.SampleRate)
	for i := range out {
		out[i] = g711.EncodeUlawFrame(int16(6000 * math.Sin(2*math.Pi*440*float64(i)/media.SampleRate)))
	}
	return out
}

// auditOf lists a conversation's audit entries through a node's API.
func auditOf(t *testing.T, api demo.API, id string) []audit.Entry {
	t.Helper()
	var list auditEntries
	if err := api.Do(context.Background(), "GET", "/v1/audit?conversation="+id+"&limit=1000", nil, &list); err != nil {
		t.Fatal(err)
	}
	return list.Entries
}

// A recorder call's media lives on the node that answered its INVITE (B);
// a pause sent to another node (A) is persisted there and driven on B,
// which closes the gate, reaching back as on one node. A never drives the
// call and reports no failure.
func TestClusterCrossNodePause(t *testing.T) {
	url := pgtest.Database(t)
	a := clusterNode(t, url, nil)
	b := clusterNode(t, url, func(c *server.Config) {
		c.Recorder = server.RecorderConfig{SIPListen: "127.0.0.1:0", RTPPorts: "53300-53399", ASR: "none",
			AgentPattern: server.DefaultAgentPattern}
	})
	key := clusterKey(t, a, b)
	apiA, apiB := demo.API{Base: a.URL(), Key: key}, demo.API{Base: b.URL(), Key: key}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	host := b.SIPAddr().Addr()
	sbc, err := demo.NewSBC(b.SIPAddr(), host)
	if err != nil {
		t.Fatal(err)
	}
	defer sbc.Close()
	st, err := demo.NewStreamer(host)
	if err != nil {
		t.Fatal(err)
	}
	go st.Run(ctx)
	const id = "cross-node-1"
	sess, err := sbc.Call(ctx, demo.CallSpec{CallID: id, CallerPort: st.Port(), AgentPort: st.Port(),
		Caller: demo.Party{AOR: "sip:+15550001@pbx.example"}, Agent: demo.Party{AOR: "sip:agent-alice@pbx.example"}})
	if err != nil {
		t.Fatal(err)
	}
	audio := tone440()
	st.Start(sess.Caller, audio, 1)
	st.Start(sess.Agent, audio, 2)

	var v conversation.View
	testwait.Eventually(t, func() (bool, error) {
		err := apiA.Do(ctx, "GET", "/v1/conversations/"+id, nil, &v)
		return err == nil && v.Recording.State == conversation.InProgress, err
	}, "node A to see B's call recording")
	sent := time.Now()
	if err := apiA.Do(ctx, "POST", "/v1/conversations/"+id+"/recording/pause", map[string]any{"reason": "card", "retroactiveMs": 500}, nil); err != nil {
		t.Fatal(err)
	}
	testwait.Eventually(t, func() (bool, error) {
		err := apiA.Do(ctx, "GET", "/v1/conversations/"+id, nil, &v)
		return err == nil && v.Recording.State == conversation.Paused, fmt.Errorf("recording %+v: %v", v.Recording, err)
	}, "the pause sent to A to be confirmed by B's recorder")
	if err := apiA.Do(ctx, "POST", "/v1/conversations/"+id+"/recording/resume", map[string]any{}, nil); err != nil {
		t.Fatal(err)
	}
	testwait.Eventually(t, func() (bool, error) {
		err := apiB.Do(ctx, "GET", "/v1/conversations/"+id, nil, &v)
		return err == nil && v.Recording.State == conversation.InProgress, fmt.Errorf("recording %+v: %v", v.Recording, err)
	}, "the resume sent to A to be confirmed by B's recorder")
	if err := sess.Bye(ctx); err != nil {
		t.Fatal(err)
	}

	// B's segment map: a paused span whose gate closed after the request,
	// starting before it (the pause reached back).
	var m media.SegmentMap
	testwait.Eventually(t, func() (bool, error) {
		err := apiB.Do(ctx, "GET", "/v1/conversations/"+id+"/recording/segments", nil, &m)
		return err == nil && m.Complete, err
	}, "B's recording to be complete")
	start, _ := time.Parse(time.RFC3339Nano, m.Start)
	paused := 0
	for _, s := range m.Segments {
		if s.State != media.SegmentPaused {
			continue
		}
		paused++
		closed, err := time.Parse(time.RFC3339Nano, s.GateClosedAt)
		if err != nil || closed.Before(sent) {
			t.Fatalf("paused span %+v: the gate closed at %q, the request was sent at %v", s, s.GateClosedAt, sent)
		}
		if from := start.Add(time.Duration(s.StartMs) * time.Millisecond); !from.Before(sent) {
			t.Fatalf("paused span %+v starts at %v, not before the request (%v): it did not reach back", s, from, sent)
		}
	}
	if paused != 1 {
		t.Fatalf("%d paused spans, want 1: %+v", paused, m.Segments)
	}
	testwait.Eventually(t, func() (bool, error) {
		err := apiA.Do(ctx, "GET", "/v1/conversations/"+id, nil, &v)
		return err == nil && v.Recording.State == conversation.Stopped, fmt.Errorf("recording %+v: %v", v.Recording, err)
	}, "the recording to be stopped")
	// Every backend answer came from B's recorder and succeeded.
	results := 0
	for _, e := range auditOf(t, apiA, id) {
		if e.Action == "backend.result" {
			results++
			if e.Outcome != "succeeded" {
				t.Fatalf("a drive of %s did not succeed: %+v", id, e)
			}
		}
	}
	if results < 3 { // pause, resume, stop
		t.Fatalf("%d backend results, want the pause's, the resume's and the stop's", results)
	}
	if n := drives(t, a, key, "siprec"); n != 0 {
		t.Fatalf("node A drove %d recorder calls it does not hold", n)
	}
	if n := drives(t, b, key, "siprec"); n < 3 {
		t.Fatalf("node B drove %d times, want at least 3", n)
	}
}

// drives is how many backend drives of platform a node ran, from its
// metrics.
func drives(t *testing.T, s *server.Server, key, platform string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL()+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("metrics: %d %v", res.StatusCode, err)
	}
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		rest, ok := strings.CutPrefix(line, "hush_backend_drive_seconds_count{")
		if !ok || !strings.Contains(rest, `platform="`+platform+`"`) {
			continue
		}
		f := strings.Fields(rest)
		v, err := strconv.Atoi(f[len(f)-1])
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		n += v
	}
	return n
}

// connectNodes starts the Amazon Connect test server and two nodes using
// it on a new database (url), manual pauses lasting manualMaxAge (0: the
// default); node a, started first, holds the engine lease.
func connectNodes(t *testing.T, manualMaxAge time.Duration) (fake *connecttest.Server, url string, a, b *server.Server, key string) {
	t.Helper()
	fake = connecttest.Start(t)
	peertest.IsolateAWS(t, "AWS_ENDPOINT_URL_CONNECT", fake.URL())
	url = pgtest.Database(t)
	tune := func(c *server.Config) {
		c.Connect = server.ConnectConfig{InstanceARN: connecttest.InstanceARN, Rate: 1000, Burst: 1000}
		c.ManualMaxAge = manualMaxAge
	}
	a = clusterNode(t, url, tune)
	b = clusterNode(t, url, tune)
	return fake, url, a, b, clusterKey(t, a, b)
}

// Two nodes, Amazon Connect contacts paused through the node that does not
// hold the engine lease, each pause expiring: the lease holder alone calls
// Connect, once to suspend and once to resume, and each pause is
// auto-resumed once.
func TestClusterExpiryActsOnce(t *testing.T) {
	fake, url, a, b, key := connectNodes(t, time.Second)
	apiB := demo.API{Base: b.URL(), Key: key}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	contacts := []string{"c-once-1", "c-once-2", "c-once-3"}
	agent := connecttest.Agent{ARN: connecttest.AgentARN("agent-1"), Username: "alice"}
	var cs []connecttest.Contact
	for _, id := range contacts {
		cs = append(cs, connecttest.Contact{ID: id, State: "CONNECTED"})
	}
	ev := connecttest.Event{ID: "ev-1", At: time.Now(), Agent: agent, Current: cs}
	if err := apiB.Do(ctx, "POST", "/v1/ingest/connect/agent-events", json.RawMessage(ev.JSON()), nil); err != nil {
		t.Fatal(err)
	}
	for _, id := range contacts {
		if err := apiB.Do(ctx, "POST", "/v1/conversations/"+id+"/recording/pause", map[string]any{"reason": "card"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range contacts {
		testwait.Eventually(t, func() (bool, error) {
			var v conversation.View
			err := apiB.Do(ctx, "GET", "/v1/conversations/"+id, nil, &v)
			return err == nil && v.Recording.State == conversation.InProgress && len(v.Recording.PauseReasons) == 0 &&
				countOps(fake, id, connecttest.OpResume) > 0, fmt.Errorf("recording %+v: %v", v.Recording, err)
		}, "%s's pause to expire and its resume to be confirmed", id)
	}
	// A later pause through A, expiring too, outlasts several sweeps of
	// both nodes' reconcilers and timers after the first ones settled.
	const late = "c-once-late"
	ev2 := connecttest.Event{ID: "ev-2", At: time.Now(), Agent: agent, Previous: cs,
		Current: append(cs[:len(cs):len(cs)], connecttest.Contact{ID: late, State: "CONNECTED"})}
	if err := apiB.Do(ctx, "POST", "/v1/ingest/connect/agent-events", json.RawMessage(ev2.JSON()), nil); err != nil {
		t.Fatal(err)
	}
	apiA := demo.API{Base: a.URL(), Key: key}
	if err := apiA.Do(ctx, "POST", "/v1/conversations/"+late+"/recording/pause", map[string]any{"reason": "card"}, nil); err != nil {
		t.Fatal(err)
	}
	testwait.Eventually(t, func() (bool, error) {
		return countOps(fake, late, connecttest.OpResume) > 0, nil
	}, "the late pause to expire")

	for _, id := range append(contacts, late) {
		if s, r := countOps(fake, id, connecttest.OpSuspend), countOps(fake, id, connecttest.OpResume); s != 1 || r != 1 {
			t.Fatalf("%s: Connect was asked to suspend %d and resume %d times, want once each: %v", id, s, r, fake.Ops())
		}
		resumed := 0
		for _, e := range auditOf(t, apiB, id) {
			if e.Action == "timer.expire" && e.Outcome == "applied" {
				resumed++
			}
		}
		if resumed != 1 {
			t.Fatalf("%s: %d applied expiries, want 1", id, resumed)
		}
	}
	if n := drives(t, b, key, "amazon-connect"); n != 0 {
		t.Fatalf("node B, without the engine lease, called Connect %d times", n)
	}
	st := verifiedStore(t, url)
	evs, err := st.EventsAfter(ctx, 0, "", 10000)
	if err != nil {
		t.Fatal(err)
	}
	auto := map[string]int{}
	for _, e := range evs {
		if e.Type == conversation.EventAutoResumed {
			auto[e.ConversationID]++
		}
	}
	for _, id := range append(contacts, late) {
		if auto[id] != 1 {
			t.Fatalf("%s: %d pause.auto-resumed events, want 1", id, auto[id])
		}
	}
}

// countOps counts the successful calls of op on one of contact's
// recordings, the one asked most often: a pause suspends each recording its
// reason maps to (a manual pause the voice and the screen) once.
func countOps(fake *connecttest.Server, contact, op string) int {
	byType := map[string]int{}
	n := 0
	for _, c := range fake.Calls() {
		if c.ContactID == contact && c.Operation == op && c.Status == 200 {
			byType[c.ContactRecordingType]++
			n = max(n, byType[c.ContactRecordingType])
		}
	}
	return n
}

// The engine lease's holder stops: the other node takes the lease and
// acts from then on, calling Connect for a pause sent to it.
func TestClusterEngineLeaseMoves(t *testing.T) {
	fake, _, a, b, key := connectNodes(t, 0)
	apiB := demo.API{Base: b.URL(), Key: key}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	agent := connecttest.Agent{ARN: connecttest.AgentARN("agent-2"), Username: "bob"}
	ev := connecttest.Event{ID: "ev-moves", At: time.Now(), Agent: agent, Current: []connecttest.Contact{{ID: "c-moves", State: "CONNECTED"}}}
	if err := apiB.Do(ctx, "POST", "/v1/ingest/connect/agent-events", json.RawMessage(ev.JSON()), nil); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := apiB.Do(ctx, "POST", "/v1/conversations/c-moves/recording/pause", map[string]any{"reason": "card"}, nil); err != nil {
		t.Fatal(err)
	}
	testwait.Eventually(t, func() (bool, error) {
		var v conversation.View
		err := apiB.Do(ctx, "GET", "/v1/conversations/c-moves", nil, &v)
		return err == nil && v.Recording.State == conversation.Paused, fmt.Errorf("recording %+v: %v", v.Recording, err)
	}, "node B, holding the lease now, to suspend the recording")
	if n := countOps(fake, "c-moves", connecttest.OpSuspend); n != 1 {
		t.Fatalf("Connect was asked to suspend %d times, want 1: %v", n, fake.Ops())
	}
	if n := drives(t, b, key, "amazon-connect"); n != 1 {
		t.Fatalf("node B drove Connect %d times, want 1", n)
	}
}

// Two nodes, one webhook: each event is delivered once, not once per node.
func TestClusterWebhookDeliveredOnce(t *testing.T) {
	url := pgtest.Database(t)
	a := clusterNode(t, url, nil)
	b := clusterNode(t, url, nil)
	key := clusterKey(t, a, b)
	apiA, apiB := demo.API{Base: a.URL(), Key: key}, demo.API{Base: b.URL(), Key: key}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var mu sync.Mutex
	seen := map[int64]int{}
	types := map[string]int{}
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev struct {
			Seq            int64  `json:"seq"`
			Type           string `json:"type"`
			ConversationID string `json:"conversationId"`
		}
		if err := json.NewDecoder(r.Body).Decode(&ev); err == nil {
			mu.Lock()
			seen[ev.Seq]++
			types[ev.Type+" "+ev.ConversationID]++
			mu.Unlock()
		}
	}))
	defer recv.Close()
	if err := apiA.Do(ctx, "POST", "/v1/webhooks", map[string]any{"url": recv.URL, "secret": "s3cret-s3cret-s3cret"}, nil); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		api  demo.API
		path string
		body map[string]any
	}{
		{apiB, "/v1/conversations", map[string]any{"id": "hook-1", "agentId": "alice"}},
		{apiA, "/v1/conversations/hook-1/recording/pause", map[string]any{"reason": "card"}},
		{apiB, "/v1/conversations/hook-1/recording/resume", map[string]any{}},
		{apiA, "/v1/conversations/hook-1/end", map[string]any{}},
		{apiB, "/v1/conversations", map[string]any{"id": "hook-2", "agentId": "alice"}},
	}
	for _, s := range steps {
		if err := s.api.Do(ctx, "POST", s.path, s.body, nil); err != nil {
			t.Fatalf("%s: %v", s.path, err)
		}
	}
	testwait.Eventually(t, func() (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		return types["conversation.created hook-2"] > 0, fmt.Errorf("delivered %v", types)
	}, "the last event to be delivered")
	mu.Lock()
	defer mu.Unlock()
	if types["conversation.ended hook-1"] == 0 {
		t.Fatalf("the end of hook-1 was not delivered before a later event: %v", types)
	}
	for seq, n := range seen {
		if n != 1 {
			t.Fatalf("event %d delivered %d times: %v", seq, n, types)
		}
	}
}

// A lease too short to beat within is refused at start.
func TestClusterRefusesAShortLease(t *testing.T) {
	_, err := server.New(context.Background(), server.Config{Data: t.TempDir(), Listen: "127.0.0.1:0", StoreURL: pgtest.Database(t),
		Cluster: server.ClusterConfig{Lease: 100 * time.Millisecond}, Logger: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), "--lease") {
		t.Fatalf("a 100ms lease: %v, want an error naming --lease", err)
	}
}
