package amazonconnect_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/hush-cc/hush/internal/testwait"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/amazonconnect"
	"github.com/hush-cc/hush/internal/amazonconnect/connecttest"
	"github.com/hush-cc/hush/internal/amazonconnect/peertest"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/sqlite"
)

var at0 = time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)

type applierEnv struct {
	st      *sqlite.Store
	eng     *engine.Engine
	connect *connecttest.Server
}

// newApplierEnv runs an engine on SQLite in a temp dir with the Connect
// backend against the fake Connect API. The backend's limiter is set far
// above any test's load: its own tests are in backend_test.go.
func newApplierEnv(tb testing.TB, cfg engine.Config) *applierEnv {
	tb.Helper()
	ctx := context.Background()
	srv := connecttest.Start(tb)
	peertest.IsolateAWS(tb, "AWS_ENDPOINT_URL_CONNECT", srv.URL())
	client, err := amazonconnect.NewClient(ctx, connecttest.InstanceARN)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), sqlite.FileName))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	b, err := amazonconnect.NewBackend(client, amazonconnect.BackendConfig{InstanceARN: connecttest.InstanceARN, State: st, Rate: 1e9, Burst: 1 << 20})
	if err != nil {
		tb.Fatal(err)
	}
	cfg.Store = st
	cfg.Backends = map[string]engine.Backend{amazonconnect.Platform: b}
	eng := engine.New(cfg)
	tb.Cleanup(func() { eng.Close(time.Second) })
	return &applierEnv{st: st, eng: eng, connect: srv}
}

func newApplier(t *testing.T, eng amazonconnect.Engine, mem store.AdapterState, cfg amazonconnect.ApplierConfig) *amazonconnect.Applier {
	t.Helper()
	a, err := amazonconnect.NewApplier(eng, mem, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func decodeAll(t *testing.T, evs ...connecttest.Event) []amazonconnect.AgentEvent {
	t.Helper()
	out := make([]amazonconnect.AgentEvent, len(evs))
	for i, e := range evs {
		ev, err := amazonconnect.Decode(e.JSON())
		if err != nil {
			t.Fatal(err)
		}
		out[i] = ev
	}
	return out
}

func person(id string) connecttest.Agent {
	return connecttest.Agent{ARN: connecttest.AgentARN(id), Username: id}
}

// waitCalls waits until Connect has had n calls and returns them.
func waitCalls(t *testing.T, srv *connecttest.Server, n int) []string {
	t.Helper()
	testwait.Eventually(t, func() (bool, error) {
		return len(srv.Calls()) >= n, fmt.Errorf("calls %q", srv.Ops())
	}, "%d Connect calls", n)
	return srv.Ops()
}

func results(rs []amazonconnect.EventResult) [][]string {
	var out [][]string
	for _, r := range rs {
		row := []string{r.EventID}
		if r.Ignored != "" {
			row = append(row, "ignored:"+r.Ignored)
		}
		for _, a := range r.Actions {
			row = append(row, string(a.Kind)+" "+a.ConversationID+" "+a.Result)
		}
		if r.Err != nil {
			row = append(row, "error")
		}
		out = append(out, row)
	}
	return out
}

func TestApplierAppliesReplaysAndRemembers(t *testing.T) {
	env := newApplierEnv(t, engine.Config{})
	ctx := context.Background()
	a := newApplier(t, env.eng, env.st, amazonconnect.ApplierConfig{})
	ana := connecttest.NewScript(person("ana"), at0)
	bo := connecttest.NewScript(person("bo"), at0)
	evs := decodeAll(t,
		ana.Next(connecttest.Voice("a1", "CONNECTED")), bo.Next(connecttest.Chat("chat", "CONNECTED"), connecttest.Voice("b1", "CONNECTED_ONHOLD")),
		ana.Next(connecttest.Voice("a1", "CONNECTED_ONHOLD")))
	got := results(a.ApplyEvents(ctx, evs))
	want := [][]string{
		{"ana-0001", "create a1 created"},
		{"bo-0001", "create b1 created", "hold b1 applied"},
		{"ana-0002", "hold a1 applied"},
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("results %q, want %q", got, want)
	}
	calls := waitCalls(t, env.connect, 2)
	slices.Sort(calls)
	if !slices.Equal(calls, []string{"SuspendContactRecording a1 200", "SuspendContactRecording b1 200"}) {
		t.Fatalf("calls %q", calls)
	}
	// The same batch again: the memory knows every event.
	for _, r := range a.ApplyEvents(ctx, evs) {
		if r.Ignored != conversation.IgnoredDuplicate || len(r.Actions) != 0 || r.Err != nil {
			t.Fatalf("replay %+v", r)
		}
	}
	m, v, err := amazonconnect.LoadMemory(ctx, env.st, connecttest.AgentARN("ana"))
	if err != nil || v != 1 || !m.Contacts["a1"].OnHold || len(m.RecentEvents) != 2 {
		t.Fatalf("memory of ana = %+v, version %d, %v", m, v, err)
	}
	c, err := env.st.Conversation(ctx, "a1")
	if err != nil || c.AgentID != "ana" || c.Attributes[amazonconnect.AttrAgentARN] != connecttest.AgentARN("ana") ||
		c.Transcription.State != conversation.NotStarted || !c.Recording.Holds(conversation.Hold, "") {
		t.Fatalf("conversation %+v, %v", c, err)
	}
	// Lost memory (a crash before it was stored): the conversations still
	// recognise every event, and nothing is called twice.
	lost := newApplier(t, env.eng, newMemoryStore(), amazonconnect.ApplierConfig{})
	got = results(lost.ApplyEvents(ctx, evs))
	want = [][]string{
		{"ana-0001", "create a1 exists"},
		{"bo-0001", "create b1 exists", "hold b1 duplicate"},
		{"ana-0002", "hold a1 duplicate"},
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("results without memory %q, want %q", got, want)
	}
	if calls := env.connect.Ops(); len(calls) != 2 {
		t.Fatalf("calls %q", calls)
	}
}

func TestApplierEndsUnknownAndRefusesStale(t *testing.T) {
	env := newApplierEnv(t, engine.Config{})
	ctx := context.Background()
	a := newApplier(t, env.eng, env.st, amazonconnect.ApplierConfig{Recording: conversation.NotStarted, Plan: amazonconnect.Options{AgentID: amazonconnect.AgentIDARN}})
	s := connecttest.NewScript(person("cy"), at0)
	first := s.Next(connecttest.Voice("c1", "CONNECTED"))
	// A previous snapshot shows a live contact hush never saw: its end is a no-op.
	gone := s.Next()
	gone.Previous = []connecttest.Contact{connecttest.Voice("c0", "CONNECTED"), connecttest.Voice("c1", "CONNECTED")}
	got := results(a.ApplyEvents(ctx, decodeAll(t, first, gone)))
	want := [][]string{{"cy-0001", "create c1 created"}, {"cy-0002", "end c1 applied", "end c0 not-found"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("results %q, want %q", got, want)
	}
	c, _ := env.st.Conversation(ctx, "c1")
	if c.AgentID != connecttest.AgentARN("cy") || c.Recording.State != conversation.NotStarted || c.CallState != conversation.Ended {
		t.Fatalf("conversation %+v", c)
	}
	// An ended conversation refuses a hold: stale, not an error.
	late := newApplier(t, env.eng, newMemoryStore(), amazonconnect.ApplierConfig{})
	s2 := connecttest.NewScript(person("cy"), at0.Add(time.Hour))
	got = results(late.ApplyEvents(ctx, decodeAll(t, s2.Next(connecttest.Voice("c1", "CONNECTED_ONHOLD")))))
	want = [][]string{{"cy-0001", "create c1 exists", "hold c1 rejected"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("results %q, want %q", got, want)
	}
	if calls := env.connect.Ops(); len(calls) != 0 {
		t.Fatalf("calls %q", calls)
	}
}

// failingEngine injects a failure into the inputs of one conversation.
type failingEngine struct {
	amazonconnect.Engine
	contact string
}

var errInjected = errors.New("store is unavailable")

func (f failingEngine) Submit(ctx context.Context, id string, in conversation.Input) <-chan engine.Result {
	if id != f.contact {
		return f.Engine.Submit(ctx, id, in)
	}
	ch := make(chan engine.Result, 1)
	ch <- engine.Result{Err: errInjected}
	return ch
}

// failingCreate injects a failure into the creation of one conversation.
type failingCreate struct {
	amazonconnect.Engine
	contact string
}

func (f failingCreate) Create(ctx context.Context, spec conversation.Spec, actor string) (conversation.Conversation, error) {
	if spec.ID == f.contact {
		return conversation.Conversation{}, errInjected
	}
	return f.Engine.Create(ctx, spec, actor)
}

func TestApplierStopsAtAFailedCreation(t *testing.T) {
	env := newApplierEnv(t, engine.Config{})
	ctx := context.Background()
	a := newApplier(t, failingCreate{Engine: env.eng, contact: "c2"}, env.st, amazonconnect.ApplierConfig{})
	s := connecttest.NewScript(person("hu"), at0)
	evs := decodeAll(t,
		s.Next(connecttest.Voice("c1", "CONNECTED")),
		s.Next(connecttest.Voice("c1", "CONNECTED"), connecttest.Voice("c2", "CONNECTED")),
		s.Next(connecttest.Voice("c1", "CONNECTED_ONHOLD"), connecttest.Voice("c2", "CONNECTED")))
	res := a.ApplyEvents(ctx, evs)
	got := results(res)
	want := [][]string{
		{"hu-0001", "create c1 created"},
		{"hu-0002", "unhold c1 applied", "create c2 failed", "error"},
		{"hu-0003", "error"},
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("results %q, want %q", got, want)
	}
	if !errors.Is(res[2].Err, errInjected) || res[2].AgentARN != connecttest.AgentARN("hu") {
		t.Fatalf("result of the event after the failure: %+v", res[2])
	}
	if m, v, _ := amazonconnect.LoadMemory(ctx, env.st, connecttest.AgentARN("hu")); v != 1 || !slices.Equal(m.RecentEvents, []string{"hu-0001"}) {
		t.Fatalf("memory %+v version %d", m, v)
	}
}

func TestApplierStopsAnAgentAtItsFirstFailure(t *testing.T) {
	env := newApplierEnv(t, engine.Config{})
	ctx := context.Background()
	a := newApplier(t, failingEngine{Engine: env.eng, contact: "bad"}, env.st, amazonconnect.ApplierConfig{})
	s := connecttest.NewScript(person("dee"), at0)
	other := connecttest.NewScript(person("eli"), at0)
	evs := decodeAll(t,
		s.Next(connecttest.Voice("ok", "CONNECTED")),
		s.Next(connecttest.Voice("ok", "CONNECTED"), connecttest.Voice("bad", "CONNECTED_ONHOLD")),
		s.Next(connecttest.Voice("ok", "CONNECTED_ONHOLD"), connecttest.Voice("bad", "CONNECTED_ONHOLD")),
		other.Next(connecttest.Voice("e1", "CONNECTED_ONHOLD")))
	res := a.ApplyEvents(ctx, evs)
	if res[0].Err != nil || !errors.Is(res[1].Err, errInjected) || !errors.Is(res[2].Err, errInjected) || res[3].Err != nil {
		t.Fatalf("results %q", results(res))
	}
	// Dee's memory holds the first event only; Eli's is whole.
	m, _, _ := amazonconnect.LoadMemory(ctx, env.st, connecttest.AgentARN("dee"))
	if !slices.Equal(m.RecentEvents, []string{"dee-0001"}) {
		t.Fatalf("memory %+v", m)
	}
	if m, _, _ := amazonconnect.LoadMemory(ctx, env.st, connecttest.AgentARN("eli")); len(m.RecentEvents) != 1 {
		t.Fatalf("memory of eli %+v", m)
	}
	// Delivered again once the store is back: whatever was applied is a
	// duplicate, the rest is applied.
	a = newApplier(t, env.eng, env.st, amazonconnect.ApplierConfig{})
	got := results(a.ApplyEvents(ctx, evs[1:3]))
	want := [][]string{
		{"dee-0002", "unhold ok duplicate", "create bad exists", "hold bad applied"},
		{"dee-0003", "hold ok duplicate", "hold bad applied"},
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("results %q, want %q", got, want)
	}
}

// racingMemory stores another writer's memory just before the applier's
// first write, as a second hush process would.
type racingMemory struct {
	st   store.AdapterState
	once sync.Once
}

func (r *racingMemory) AdapterState(ctx context.Context, ns, key string) ([]byte, int64, error) {
	return r.st.AdapterState(ctx, ns, key)
}

func (r *racingMemory) PutAdapterState(ctx context.Context, ns, key string, value []byte, version int64) error {
	r.once.Do(func() {
		if err := amazonconnect.SaveMemory(ctx, r.st, key, amazonconnect.Memory{RecentEvents: []string{"elsewhere"}}, version); err != nil {
			panic(err)
		}
	})
	return r.st.PutAdapterState(ctx, ns, key, value, version)
}

func TestApplierPlansAgainAfterAMemoryConflict(t *testing.T) {
	env := newApplierEnv(t, engine.Config{})
	ctx := context.Background()
	a := newApplier(t, env.eng, &racingMemory{st: env.st}, amazonconnect.ApplierConfig{})
	s := connecttest.NewScript(person("fox"), at0)
	got := results(a.ApplyEvents(ctx, decodeAll(t, s.Next(connecttest.Voice("c1", "CONNECTED")), s.Next(connecttest.Voice("c1", "CONNECTED_ONHOLD")))))
	// The second planning finds the conversation made by the first.
	want := [][]string{{"fox-0001", "create c1 exists"}, {"fox-0002", "hold c1 duplicate"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("results %q, want %q", got, want)
	}
	m, v, _ := amazonconnect.LoadMemory(ctx, env.st, connecttest.AgentARN("fox"))
	if v != 2 || !slices.Equal(m.RecentEvents, []string{"elsewhere", "fox-0001", "fox-0002"}) {
		t.Fatalf("memory %+v version %d", m, v)
	}
	if calls := waitCalls(t, env.connect, 1); len(calls) != 1 {
		t.Fatalf("calls %q", calls)
	}
}

func TestApplierReconcilesRememberedContacts(t *testing.T) {
	ctx := context.Background()
	// A drive left unanswered by an earlier process, as the Lambda finds it.
	env := newApplierEnv(t, engine.Config{Policy: conversation.Policy{StaleDrive: time.Nanosecond, RetryAfter: time.Second}})
	env.connect.FailContact("c1", connecttest.Fault{Status: 500, Type: "InternalServiceException"})
	a := newApplier(t, env.eng, env.st, amazonconnect.ApplierConfig{})
	s := connecttest.NewScript(person("gil"), at0)
	a.ApplyEvents(ctx, decodeAll(t, s.Next(connecttest.Voice("c1", "CONNECTED_ONHOLD"))))
	waitCalls(t, env.connect, 1)
	env.connect.FailContact("c1", connecttest.Fault{})
	env.eng.Close(0) // the process dies with the drive in flight
	env2 := &applierEnv{st: env.st, connect: env.connect, eng: engine.New(engine.Config{Store: env.st, Policy: conversation.Policy{StaleDrive: time.Nanosecond, RetryAfter: time.Second},
		Backends: map[string]engine.Backend{amazonconnect.Platform: backendFor(t)}})}
	t.Cleanup(func() { env2.eng.Close(time.Second) })
	before := len(env.connect.Calls())
	rec := newApplier(t, env2.eng, env.st, amazonconnect.ApplierConfig{Reconcile: true})
	// A heartbeat changes nothing but brings the reconcile.
	hb := s.Next(connecttest.Voice("c1", "CONNECTED_ONHOLD"))
	hb.Type = "HEART_BEAT"
	rec.ApplyEvents(ctx, decodeAll(t, hb))
	calls := waitCalls(t, env.connect, before+1)
	if calls[len(calls)-1] != "SuspendContactRecording c1 200" {
		t.Fatalf("calls %q", calls)
	}
	testwait.Eventually(t, func() (bool, error) {
		c, err := env.st.Conversation(ctx, "c1")
		return err == nil && c.Recording.State == conversation.Paused && c.Recording.Driving == nil, fmt.Errorf("recording %+v (%v)", c.Recording, err)
	}, "the recording to be confirmed paused")
}

func backendFor(t *testing.T) engine.Backend {
	t.Helper()
	client, err := amazonconnect.NewClient(context.Background(), connecttest.InstanceARN)
	if err != nil {
		t.Fatal(err)
	}
	b, err := amazonconnect.NewBackend(client, amazonconnect.BackendConfig{InstanceARN: connecttest.InstanceARN, State: newMemoryStore(), Rate: 1000, Burst: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNewApplierValidates(t *testing.T) {
	env := newApplierEnv(t, engine.Config{})
	for _, cfg := range []amazonconnect.ApplierConfig{
		{Recording: conversation.Paused},
		{Plan: amazonconnect.Options{AgentID: "email"}},
	} {
		if _, err := amazonconnect.NewApplier(env.eng, env.st, cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
	if _, err := amazonconnect.NewApplier(nil, env.st, amazonconnect.ApplierConfig{}); err == nil {
		t.Error("no engine accepted")
	}
}

// memoryStore is an in-memory store.AdapterState: a process that lost its
// memory.
type memoryStore struct {
	mu sync.Mutex
	m  map[string][]byte
	v  map[string]int64
}

func newMemoryStore() *memoryStore {
	return &memoryStore{m: map[string][]byte{}, v: map[string]int64{}}
}

func (s *memoryStore) AdapterState(_ context.Context, ns, key string) ([]byte, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[ns+"/"+key], s.v[ns+"/"+key], nil
}

func (s *memoryStore) PutAdapterState(_ context.Context, ns, key string, value []byte, version int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.v[ns+"/"+key] != version {
		return store.ErrConflict
	}
	s.m[ns+"/"+key], s.v[ns+"/"+key] = value, version+1
	return nil
}
