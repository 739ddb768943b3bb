package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/auth"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/none"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/sqlite"
)

type env struct {
	t      testing.TB
	srv    *httptest.Server
	api    *api.Server
	store  *sqlite.Store
	eng    *engine.Engine
	admin  string
	ingest string
	super  string
	alice  string // agent alice
	bob    string // agent bob
	dbPath string
}

func newEnv(t testing.TB, mods ...func(*engine.Config, *api.Config)) *env {
	t.Helper()
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "hush.db")
	st, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	ecfg := engine.Config{
		Store:    st,
		Backends: map[string]engine.Backend{none.Platform: none.Backend{}},
		Retry:    engine.Retry{Attempts: 2, Base: time.Millisecond, Max: time.Millisecond},
		Metrics:  engine.NewMetrics(reg),
	}
	acfg := api.Config{Store: st, Registry: reg, EventPoll: 50 * time.Millisecond, MaxBody: 4096}
	for _, m := range mods {
		m(&ecfg, &acfg)
	}
	eng := engine.New(ecfg)
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	acfg.Engine = eng
	a := api.New(acfg)
	srv := httptest.NewServer(a)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		eng.Close(time.Second)
		st.Close()
	})
	e := &env{t: t, srv: srv, api: a, store: st, eng: eng, dbPath: dbPath}
	e.admin = e.key(auth.Admin, "")
	e.ingest = e.key(auth.Ingest, "")
	e.super = e.key(auth.Supervisor, "")
	e.alice = e.key(auth.Agent, "alice")
	e.bob = e.key(auth.Agent, "bob")
	return e
}

func (e *env) key(role auth.Role, agent string) string {
	e.t.Helper()
	tok, _, err := auth.Issue(context.Background(), e.store, role, agent, "test", time.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

type response struct {
	status int
	body   []byte
	header http.Header
}

func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errorCode returns the code of an error body, failing the test if the
// body is not the documented error shape.
func (r response) errorCode(t *testing.T) string {
	t.Helper()
	var b struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	r.decode(t, &b)
	if b.Error.Code == "" || b.Error.Message == "" {
		t.Fatalf("error body %s lacks code or message", r.body)
	}
	return b.Error.Code
}

func (e *env) do(method, path, key string, body any) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, body: out, header: resp.Header}
}

func (e *env) mustDo(want int, method, path, key string, body any) response {
	e.t.Helper()
	r := e.do(method, path, key, body)
	if r.status != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, want, r.body)
	}
	return r
}

func (e *env) register(id, agent string) {
	e.t.Helper()
	e.mustDo(201, "POST", "/v1/conversations", e.ingest, map[string]string{"id": id, "agentId": agent, "transcription": "in-progress"})
}

func (e *env) conversation(id string) conversation.View {
	e.t.Helper()
	var v conversation.View
	e.mustDo(200, "GET", "/v1/conversations/"+id, e.admin, nil).decode(e.t, &v)
	return v
}

func (e *env) auditCount() int {
	e.t.Helper()
	entries, err := e.store.AuditEntries(context.Background(), store.AuditQuery{Limit: 100000})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(entries)
}

// sseEvent is one parsed server-sent event.
type sseEvent struct {
	ID, Type string
	Data     json.RawMessage
}

// stream opens /v1/events and returns a channel of parsed events.
func (e *env) stream(ctx context.Context, path, key, lastID string) (<-chan sseEvent, int) {
	e.t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		resp.Body.Close()
		return nil, resp.StatusCode
	}
	ch := make(chan sseEvent, 256)
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Type != "" {
					ch <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.ID = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.Type = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.Data = json.RawMessage(line[6:])
			}
		}
	}()
	return ch, 200
}

// next waits for the next event matching pred.
func next(t *testing.T, ch <-chan sseEvent, pred func(sseEvent) bool) sseEvent {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatal("event stream closed")
			}
			if pred(ev) {
				return ev
			}
		case <-timeout:
			t.Fatal("timed out waiting for an event")
		}
	}
}

func ofType(typ string) func(sseEvent) bool {
	return func(ev sseEvent) bool { return ev.Type == typ }
}
