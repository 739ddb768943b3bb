package amazonconnect_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/amazonconnect"
	"github.com/hush-cc/hush/internal/amazonconnect/connecttest"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/sqlite"
)

// BenchmarkAgentEvents measures agent events per second through the whole
// daemon path: decode, plan against the stored memory, engine (durable
// SQLite write per input, group-committed), the Connect backend over HTTP to
// the fake Connect API, and the backend result written back. Records come
// in batches of 100, as a Kinesis read delivers them; the clock stops when
// every conversation has reached its desired state.
func BenchmarkAgentEvents(b *testing.B) {
	for _, agents := range []int{1, 64} {
		b.Run(fmt.Sprintf("agents=%d", agents), func(b *testing.B) { benchAgentEvents(b, agents) })
	}
}

func benchAgentEvents(b *testing.B, agents int) {
	ctx := context.Background()
	env := newApplierEnv(b, engine.Config{})
	st, srv, eng := env.st, env.connect, env.eng
	ap, err := amazonconnect.NewApplier(eng, st, amazonconnect.ApplierConfig{Parallel: agents})
	if err != nil {
		b.Fatal(err)
	}
	// Each agent has one call: it connects, then holds and unholds in turn.
	records := make([][]byte, 0, b.N)
	scripts := make([]*connecttest.Script, agents)
	for i := range scripts {
		scripts[i] = connecttest.NewScript(connecttest.Agent{ARN: connecttest.AgentARN(fmt.Sprint("bench-", i)), Username: fmt.Sprint("agent-", i)}, at0)
	}
	for n := 0; len(records) < b.N; n++ {
		s := scripts[n%agents]
		state := []string{"CONNECTED", "CONNECTED_ONHOLD"}[(n/agents)%2]
		records = append(records, s.Next(connecttest.Voice(fmt.Sprint("call-", n%agents), state)).JSON())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for start := 0; start < len(records); start += 100 {
		batch := records[start:min(start+100, len(records))]
		evs := make([]amazonconnect.AgentEvent, 0, len(batch))
		for _, r := range batch {
			ev, err := amazonconnect.Decode(r)
			if err != nil {
				b.Fatal(err)
			}
			evs = append(evs, ev)
		}
		for _, r := range ap.ApplyEvents(ctx, evs) {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
	}
	for !converged(ctx, b, st) {
		time.Sleep(time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(len(srv.Calls()))/b.Elapsed().Seconds(), "calls/s")
}

func converged(ctx context.Context, b *testing.B, st *sqlite.Store) bool {
	convs, err := st.Conversations(ctx, store.Query{})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range convs {
		if c.Recording.Driving != nil || !c.Recording.Converged() || c.Recording.State == conversation.Unknown {
			return false
		}
	}
	return true
}
