package amazonconnect

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/hush-cc/hush/internal/amazonconnect/connecttest"
	"github.com/hush-cc/hush/internal/amazonconnect/peertest"
	"github.com/hush-cc/hush/internal/conversation"
)

// BenchmarkHoldsUnderQuota puts N callers on hold at the same moment
// against the fake Connect API enforcing Connect's default quota (2 per
// second, burst 5, per operation; 429 above it, 250 ms of jitter forgiven)
// and reports when the last Suspend went out and how many calls were
// throttled. instances=1 is hush serve (one limiter per operation);
// instances=4 is the Lambda reading a 4-shard stream, each instance with a
// quarter of the quota (HUSH_CONNECT_SHARDS=4) and the holds spread over
// the shards. Run with -benchtime=1x: one iteration is one burst of holds.
func BenchmarkHoldsUnderQuota(b *testing.B) {
	for _, instances := range []int{1, 4} {
		for _, n := range []int{5, 11, 21} {
			b.Run(fmt.Sprintf("instances=%d/holds=%d", instances, n), func(b *testing.B) {
				for range b.N {
					benchHolds(b, instances, n)
				}
			})
		}
	}
}

func benchHolds(b *testing.B, instances, n int) {
	srv := connecttest.Start(b)
	peertest.IsolateAWS(b, "AWS_ENDPOINT_URL_CONNECT", srv.URL())
	srv.SetQuota(float64(DefaultRate), DefaultBurst, 250*time.Millisecond)
	backends := make([]*Backend, instances)
	for i := range backends {
		client, err := NewClient(context.Background(), testInstanceARN)
		if err != nil {
			b.Fatal(err)
		}
		backends[i], err = NewBackend(client, BackendConfig{InstanceARN: testInstanceARN, State: testState(b),
			Rate: DefaultRate / rate.Limit(instances), Burst: max(1, DefaultBurst/instances)})
		if err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			be := backends[i%instances]
			// The engine retries a throttled call; one retry is enough to
			// count the throttling here.
			_, _ = be.Drive(context.Background(), conv(fmt.Sprint("c", i), ""), drive(conversation.InProgress, conversation.Paused))
		})
	}
	wg.Wait()
	calls := srv.Calls()
	throttled := 0
	var last time.Time
	for _, c := range calls {
		if c.Status == 429 {
			throttled++
		}
		if c.At.After(last) {
			last = c.At
		}
	}
	b.ReportMetric(last.Sub(start).Seconds(), "s-last-suspend")
	b.ReportMetric(float64(max(0, n-DefaultBurst))/float64(DefaultRate), "s-bound")
	b.ReportMetric(float64(throttled), "throttled")
}
