package api_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/engine"
)

// BenchmarkPauseWithStreams measures what open event streams cost a pause:
// its latency (until 202) with no stream and with 1,000 streams open, every
// one of them receiving the pause's events, and the memory the server holds
// per stream (heap and goroutine stacks; the clients run in a child process).
//
//	go test -run '^$' -bench BenchmarkPauseWithStreams -benchtime 200x -count 3 ./internal/api/
func BenchmarkPauseWithStreams(b *testing.B) {
	for _, n := range []int{0, 1000} {
		b.Run(fmt.Sprintf("streams=%d", n), func(b *testing.B) {
			e := newEnv(b, func(_ *engine.Config, c *api.Config) { c.StreamsPerKey = n + 1; c.Streams = n + 1 })
			e.register("bench", "alice")
			before := memoryInUse()
			ctx, cancel := context.WithCancel(context.Background())
			received := openStreams(b, e, ctx, n)
			// Let the streams settle (each writes its first frame) before measuring.
			time.Sleep(500 * time.Millisecond)
			perStream := 0.0
			if n > 0 {
				perStream = float64(memoryInUse()-before) / float64(n)
			}
			var lat []time.Duration
			// Pauses come at a contact center's pace, not back to back, so
			// each meets the streams as a pause in production would: the
			// fan-out of the previous one done or nearly.
			tick := time.NewTicker(pacing)
			defer tick.Stop()
			b.ResetTimer()
			for i := range b.N {
				<-tick.C
				op := "pause"
				if i%2 == 1 {
					op = "resume"
				}
				start := time.Now()
				e.mustDo(202, "POST", "/v1/conversations/bench/recording/"+op, e.alice, nil)
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			perStreamEvents := received()
			cancel()
			slices.Sort(lat)
			q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / 1e6 }
			b.ReportMetric(q(0.5), "p50-ms")
			b.ReportMetric(q(0.99), "p99-ms")
			if n > 0 {
				b.ReportMetric(perStream/1024, "KB/stream")
				b.ReportMetric(perStreamEvents, "events/stream")
			}
		})
	}
}

// openStreams opens n admin event streams from another process (this test
// binary running TestStreamClientProcess), so that the memory measured here
// is the server's alone; it returns once all are open, and a function that
// tells how many events the client received per stream (on stopping it).
func openStreams(b *testing.B, e *env, ctx context.Context, n int) func() float64 {
	if n == 0 {
		return func() float64 { return 0 }
	}
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestStreamClientProcess$")
	cmd.Env = append(os.Environ(), streamClientEnv+"="+e.srv.URL+" "+e.admin+" "+strconv.Itoa(n))
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	rd := bufio.NewReader(out)
	if line, err := rd.ReadString('\n'); err != nil || strings.TrimSpace(line) != "open" {
		b.Fatalf("the stream client did not open its streams: %q %v", line, err)
	}
	return func() float64 {
		_ = cmd.Process.Signal(os.Interrupt)
		line, _ := rd.ReadString('\n')
		_ = cmd.Wait()
		total, _ := strconv.ParseFloat(strings.TrimSpace(line), 64)
		return total / float64(n)
	}
}

// pacing is the interval between pauses: 10 a second, about what 1,000
// agents on calls ask for at a busy hour.
const pacing = 100 * time.Millisecond

// streamClientEnv, set to "URL KEY N", makes TestStreamClientProcess the
// benchmark's client: it opens N event streams, says "open", counts events
// until interrupted, then prints the count.
const streamClientEnv = "HUSH_BENCH_STREAM_CLIENT"

func TestStreamClientProcess(t *testing.T) {
	spec := os.Getenv(streamClientEnv)
	if spec == "" {
		// Run only as the benchmark's child process.
		return
	}
	var url, key string
	var n int
	if _, err := fmt.Sscan(spec, &url, &key, &n); err != nil {
		t.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var count atomic.Int64
	var wg sync.WaitGroup
	wg.Add(n)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n + 1}}
	for range n {
		go func() {
			req, _ := http.NewRequestWithContext(ctx, "GET", url+"/v1/events", nil)
			req.Header.Set("Authorization", "Bearer "+key)
			res, err := client.Do(req)
			if err != nil || res.StatusCode != 200 {
				fmt.Fprintln(os.Stderr, "open a stream:", err, res)
				os.Exit(1)
			}
			defer res.Body.Close()
			sc := bufio.NewScanner(res.Body)
			first := true
			for sc.Scan() {
				if first && sc.Text() == "" {
					first = false
					wg.Done()
				}
				if strings.HasPrefix(sc.Text(), "event: ") {
					count.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	fmt.Println("open")
	<-ctx.Done()
	fmt.Println(count.Load())
}

// memoryInUse is the memory the Go runtime holds for the heap and the
// goroutine stacks, after a collection.
func memoryInUse() uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/stacks:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64()
}
