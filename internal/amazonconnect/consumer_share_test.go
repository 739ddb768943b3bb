package amazonconnect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/hush-cc/hush/internal/amazonconnect/connecttest"
	"github.com/hush-cc/hush/internal/amazonconnect/peertest"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/postgres"
	"github.com/hush-cc/hush/internal/store/postgres/pgtest"
	"github.com/hush-cc/hush/internal/store/sqlite"
	"github.com/hush-cc/hush/internal/testwait"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// sharedStore is one node's handle on the store all nodes share.
type sharedStore interface {
	store.Store
	store.Cluster
}

// mortal is a node's store handle that can die: once killed, every lease
// and checkpoint call fails, as they would for a node that is gone.
type mortal struct {
	sharedStore
	node string
	dead atomic.Bool
	// cut fails only the lease calls: the node cannot renew, but reads
	// and writes the rest.
	cut     atomic.Bool
	journal *journal
}

var errDead = errors.New("this node is dead")

// journal records, in order, which node took which lease and which wrote
// which checkpoint.
type journal struct {
	mu      sync.Mutex
	entries []string
}

func (j *journal) add(s string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries = append(j.entries, s)
}

func (j *journal) all() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.entries)
}

func (m *mortal) TryLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if m.dead.Load() || m.cut.Load() {
		return false, errDead
	}
	ok, err := m.sharedStore.TryLease(ctx, name, holder, ttl)
	if ok {
		m.journal.add(m.node + " holds " + name)
	}
	return ok, err
}

func (m *mortal) ReleaseLease(ctx context.Context, name, holder string) error {
	if m.dead.Load() {
		return errDead
	}
	return m.sharedStore.ReleaseLease(ctx, name, holder)
}

func (m *mortal) PutCheckpoint(ctx context.Context, stream, shard, position string) error {
	if m.dead.Load() {
		return errDead
	}
	m.journal.add(m.node + " checkpoints kinesis/" + stream + "/shard/" + shard)
	return m.sharedStore.PutCheckpoint(ctx, stream, shard, position)
}

// shareEnv is a stream of four shards read by hush nodes sharing one store,
// each applying the events through its own engine to the one fake Connect.
type shareEnv struct {
	t       *testing.T
	kc      *kinesis.Client
	connect *connecttest.Server
	open    func() sharedStore
	lease   time.Duration
	nodes   map[string]*shareNode
	scripts map[string]*connecttest.Script
	journal journal
}

type shareNode struct {
	st   *mortal
	stop func()
}

const sharedStream = "shared"

func newShareEnv(t *testing.T, open func() sharedStore) *shareEnv {
	url := peertest.Kinesalite(t)
	srv := connecttest.Start(t)
	peertest.IsolateAWS(t, "AWS_ENDPOINT_URL_KINESIS", url, "AWS_ENDPOINT_URL_CONNECT", srv.URL())
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	kc := kinesis.NewFromConfig(cfg)
	createStream(t, kc, sharedStream, 4)
	return &shareEnv{t: t, kc: kc, connect: srv, open: open, lease: 2 * time.Second,
		nodes: map[string]*shareNode{}, scripts: map[string]*connecttest.Script{}}
}

// start runs a node: its store handle, engine, Connect backend, applier
// and consumer.
func (e *shareEnv) start(name string) {
	t := e.t
	ctx, cancel := context.WithCancel(context.Background())
	st := &mortal{sharedStore: e.open(), node: name, journal: &e.journal}
	client, err := NewClient(ctx, testInstanceARN)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBackend(client, BackendConfig{InstanceARN: testInstanceARN, State: st, Rate: 1e6, Burst: 1e6})
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(engine.Config{Store: st, Backends: map[string]engine.Backend{Platform: b}})
	ap, err := NewApplier(eng, st, ApplierConfig{})
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := NewConsumer(e.kc, ConsumerConfig{Stream: sharedStream, StartAt: ktypes.ShardIteratorTypeTrimHorizon,
		Cluster: st, Node: name, Lease: e.lease, Logger: quiet}, ap, st, st)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("node %s: Run: %v", name, err)
			}
			eng.Close(time.Second)
		})
	}
	t.Cleanup(stop)
	e.nodes[name] = &shareNode{st: st, stop: stop}
}

// kill stops a node as if its process died: no lease is given back.
func (e *shareEnv) kill(name string) {
	n := e.nodes[name]
	n.st.dead.Store(true)
	n.stop()
	delete(e.nodes, name)
}

// holders returns the shard leases' holders, by shard.
func (e *shareEnv) holders() map[string]string {
	e.t.Helper()
	var any sharedStore
	for _, n := range e.nodes {
		any = n.st.sharedStore
		break
	}
	leases, err := any.Leases(context.Background(), "kinesis/"+sharedStream+"/shard/")
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]string{}
	for _, l := range leases {
		out[l.Name] = l.Holder
	}
	return out
}

// spread waits until the four shards are leased, each node holding its
// fair share.
func (e *shareEnv) spread(nodes ...string) {
	e.t.Helper()
	testwait.Eventually(e.t, func() (bool, error) {
		h := e.holders()
		count := map[string]int{}
		for _, node := range h {
			count[node]++
		}
		lo, hi := 4/len(nodes), (4+len(nodes)-1)/len(nodes)
		for _, n := range nodes {
			if count[n] < lo || count[n] > hi {
				return false, fmt.Errorf("leases %v", h)
			}
		}
		return len(h) == 4, fmt.Errorf("leases %v", h)
	}, "the shards to spread over %v", nodes)
}

// hashKeys place agent i on shard i%4: kinesalite splits the hash key
// space evenly.
func hashKey(i int) string {
	quarter := new(big.Int).Lsh(big.NewInt(1), 126)
	return new(big.Int).Add(new(big.Int).Mul(quarter, big.NewInt(int64(i%4))), big.NewInt(1)).String()
}

const shareAgents = 8

// holdCycle puts, for every agent, its contact on hold and back.
func (e *shareEnv) holdCycle() {
	e.t.Helper()
	for i := range shareAgents {
		id := fmt.Sprint("agent", i)
		s := e.scripts[id]
		contact := fmt.Sprint("contact", i)
		var evs []connecttest.Event
		if s == nil {
			s = connecttest.NewScript(connecttest.Agent{ARN: connecttest.AgentARN(id), Username: id}, time.Now().Add(-time.Minute))
			e.scripts[id] = s
			evs = append(evs, s.Next(connecttest.Voice(contact, "CONNECTED")))
		}
		evs = append(evs, s.Next(connecttest.Voice(contact, "CONNECTED_ONHOLD")), s.Next(connecttest.Voice(contact, "CONNECTED")))
		for _, ev := range evs {
			put(e.t, e.kc, sharedStream, ev.Agent.ARN, ev.JSON(), hashKey(i))
		}
	}
}

// expectCycles waits until every contact had n suspend and resume pairs,
// and checks that it had no more: no event was applied twice in effect.
func (e *shareEnv) expectCycles(n int) {
	e.t.Helper()
	want := []string{}
	for range n {
		want = append(want, "SuspendContactRecording AGENT", "ResumeContactRecording AGENT")
	}
	testwait.Eventually(e.t, func() (bool, error) {
		return len(e.connect.Calls()) >= 2*n*shareAgents, fmt.Errorf("%d calls: %q", len(e.connect.Calls()), e.connect.Ops())
	}, "%d hold cycles of every contact", n)
	per := map[string][]string{}
	for _, c := range e.connect.Calls() {
		if c.Status != 200 {
			e.t.Fatalf("call %+v", c)
		}
		per[c.ContactID] = append(per[c.ContactID], c.Operation+" "+c.ContactRecordingType)
	}
	for i := range shareAgents {
		id := fmt.Sprint("contact", i)
		if !slices.Equal(per[id], want) {
			e.t.Fatalf("contact %s: calls %q, want %q", id, per[id], want)
		}
	}
}

// Consumers on several nodes share the shards by lease: they spread, a
// node that joins gets its share, a node that dies has its shards read by
// the others from their checkpoints, and no event ever calls Connect twice.
func TestConsumersShareShards(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), sqlite.FileName)
		testSharing(t, func() sharedStore {
			st, err := sqlite.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		})
	})
	t.Run("postgres", func(t *testing.T) {
		url := pgtest.Database(t)
		testSharing(t, func() sharedStore {
			st, err := postgres.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		})
	})
}

func testSharing(t *testing.T, open func() sharedStore) {
	e := newShareEnv(t, open)
	e.start("n1")
	e.start("n2")
	e.spread("n1", "n2")
	e.holdCycle()
	e.expectCycles(1)

	held := e.holders()
	killed := time.Now()
	e.kill("n1")
	e.holdCycle()
	testwait.Eventually(t, func() (bool, error) {
		h := e.holders()
		for _, node := range h {
			if node != "n2" {
				return false, fmt.Errorf("leases %v", h)
			}
		}
		return len(h) == 4, fmt.Errorf("leases %v", h)
	}, "n2 to take over n1's shards (leases before: %v)", held)
	t.Logf("n1's shards taken over %v after it died (lease %v)", time.Since(killed).Round(10*time.Millisecond), e.lease)
	e.expectCycles(2)

	e.start("n3")
	e.spread("n2", "n3")
	e.holdCycle()
	e.expectCycles(3)
}

// A node that cannot renew its leases stops reading its shards before
// they can be taken over, and checkpoints nothing of a shard once another
// node holds it; the node that takes them over applies what was left, and
// nothing calls Connect twice.
func TestConsumerStopsAtALostLease(t *testing.T) {
	path := filepath.Join(t.TempDir(), sqlite.FileName)
	e := newShareEnv(t, func() sharedStore {
		st, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	})
	e.start("n1")
	e.spread("n1")
	e.holdCycle()
	e.nodes["n1"].st.cut.Store(true)
	e.start("n2")
	cycles := 1
	for {
		// Records keep coming while the shards change hands; each wave is
		// applied before the next is put, so that no two waves meet in one
		// drive (the engine drives the newest state, not every one).
		e.expectCycles(cycles)
		if h := e.holders(); len(h) == 4 && !slices.Contains(slices.Collect(maps.Values(h)), "n1") {
			break
		}
		if cycles > 20 {
			t.Fatalf("n2 never took every shard over: leases %v", e.holders())
		}
		e.holdCycle()
		cycles++
	}
	e.holdCycle()
	e.expectCycles(cycles + 1)
	took := map[string]bool{}
	for _, entry := range e.journal.all() {
		var node, what, lease string
		fmt.Sscan(entry, &node, &what, &lease)
		switch {
		case node == "n2" && what == "holds":
			took[lease] = true
		case node == "n1" && what == "checkpoints" && took[lease]:
			t.Fatalf("n1 checkpointed %s after n2 took it over:\n%s", lease, strings.Join(e.journal.all(), "\n"))
		}
	}
}
