package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/server"
	"github.com/hush-cc/hush/internal/store/postgres/pgtest"
)

// Benchmarks of several `hush serve` processes on one PostgreSQL database,
// each iteration a run of the project's load tools against real processes:
//
//	go test -run '^$' -bench 'BenchmarkNodes|BenchmarkCrossNodePause' -benchtime 1x -count 3 ./test/e2e
//
// HUSH_BENCH_RATES (comma-separated requests/s), HUSH_BENCH_DURATION and
// HUSH_BENCH_CALLS change the load (defaults 250,500,1000; 10s; 100 calls).

// loadTools builds cmd/hush-load and cmd/hush-callload once.
var loadTools = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "hush-bench-")
	if err != nil {
		return "", err
	}
	for _, tool := range []string{"hush-load", "hush-callload"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, tool), "github.com/hush-cc/hush/cmd/"+tool)
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go build %s: %v\n%s", tool, err, out)
		}
	}
	return dir, nil
})

func benchEnv[T any](name string, def T, parse func(string) (T, error)) T {
	if v, ok := os.LookupEnv(name); ok {
		if x, err := parse(v); err == nil {
			return x
		}
	}
	return def
}

// benchNodes starts n recorder nodes (n = 0: one node on SQLite) and
// returns them with the admin key's file.
func benchNodes(b *testing.B, n int) ([]*clusterProc, string) {
	b.Helper()
	var url string
	if n > 0 {
		url = pgtest.Database(b)
	}
	count := max(n, 1)
	nodes := make([]*clusterProc, count)
	for i := range nodes {
		data, sip := b.TempDir(), freeSIPAddr(b)
		extra := []string{"--log-level", "warn"}
		if url != "" {
			extra = append(extra, "--store", url, "--node-id", fmt.Sprintf("bench-%d", i+1))
		}
		p := startRecorderProc(b, hushBin, data, sip, fmt.Sprintf("%d-%d", 50000+i*1000, 50999+i*1000), extra...)
		nodes[i] = &clusterProc{recorderProc: p, data: data, sip: sip}
	}
	return nodes, filepath.Join(nodes[0].data, server.AdminKeyFile)
}

var (
	loadSummary = regexp.MustCompile(`for ([0-9.a-zµ]+): sent (\d+), ok (\d+), errors (\d+)`)
	loadLatency = regexp.MustCompile(`latency p50 ([0-9.a-zµ]+)\s+p90 [0-9.a-zµ]+\s+p99 ([0-9.a-zµ]+)`)
)

// BenchmarkNodes sends pause and resume commands at a steady rate, spread
// over the nodes in turn, to one node on SQLite and to one, two and three
// nodes on PostgreSQL, and reports the commands answered per second and
// the latency percentiles.
func BenchmarkNodes(b *testing.B) {
	tools, err := loadTools()
	if err != nil {
		b.Fatal(err)
	}
	rates := benchEnv("HUSH_BENCH_RATES", []int{250, 500, 1000}, func(v string) ([]int, error) {
		var out []int
		for _, f := range strings.Split(v, ",") {
			r, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		return out, nil
	})
	dur := benchEnv("HUSH_BENCH_DURATION", 10*time.Second, time.ParseDuration)
	for _, n := range []int{0, 1, 2, 3} {
		name := "sqlite"
		if n > 0 {
			name = fmt.Sprintf("postgres-%d", n)
		}
		b.Run(name, func(b *testing.B) {
			nodes, keyFile := benchNodes(b, n)
			var urls []string
			for _, p := range nodes {
				urls = append(urls, "http://"+p.http)
			}
			for _, rate := range rates {
				b.Run(fmt.Sprintf("rate-%d", rate), func(b *testing.B) { benchLoad(b, tools, urls, keyFile, rate, dur) })
			}
		})
	}
}

// benchLoad runs hush-load at rate against urls and reports what it saw.
func benchLoad(b *testing.B, tools string, urls []string, keyFile string, rate int, dur time.Duration) {
	for b.Loop() {
		out, err := exec.Command(filepath.Join(tools, "hush-load"), "--url", strings.Join(urls, ","), "--key-file", keyFile,
			"--rate", strconv.Itoa(rate), "--duration", dur.String(), "--warmup", "2s").CombinedOutput()
		if err != nil {
			b.Fatalf("hush-load: %v\n%s", err, out)
		}
		s, l := loadSummary.FindSubmatch(out), loadLatency.FindSubmatch(out)
		if s == nil || l == nil {
			b.Fatalf("hush-load said:\n%s", out)
		}
		elapsed, _ := time.ParseDuration(string(s[1]))
		ok, _ := strconv.Atoi(string(s[3]))
		errs, _ := strconv.Atoi(string(s[4]))
		p50, _ := time.ParseDuration(string(l[1]))
		p99, _ := time.ParseDuration(string(l[2]))
		b.ReportMetric(float64(ok)/elapsed.Seconds(), "ok/s")
		b.ReportMetric(float64(errs), "errors")
		b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	}
}

// BenchmarkCrossNodePause places SIPREC calls on node B of two nodes on
// PostgreSQL and pauses each through node A (cross-node) or through B
// itself (same node), and reports request → gate closed on B, from B's
// segment maps.
func BenchmarkCrossNodePause(b *testing.B) {
	tools, err := loadTools()
	if err != nil {
		b.Fatal(err)
	}
	calls := benchEnv("HUSH_BENCH_CALLS", 100, strconv.Atoi)
	nodes, keyFile := benchNodes(b, 2)
	a, rec := nodes[0], nodes[1]
	for _, via := range []struct {
		name string
		api  string
	}{{"cross-node", a.http}, {"same-node", rec.http}} {
		b.Run(via.name, func(b *testing.B) {
			for b.Loop() {
				out, err := exec.Command(filepath.Join(tools, "hush-callload"), "--sip", rec.sip, "--api", "http://"+rec.http,
					"--pause-api", "http://"+via.api, "--key-file", keyFile, "--calls", strconv.Itoa(calls),
					"--duration", "6s", "--ramp", "2s", "--json").Output()
				if err != nil {
					b.Fatalf("hush-callload: %v\n%s", err, out)
				}
				var rep struct {
					Pauses            int
					PauseLatencyP50Ms float64
					PauseLatencyP99Ms float64
				}
				if err := json.Unmarshal(out, &rep); err != nil || rep.Pauses == 0 {
					b.Fatalf("hush-callload said %s: %v", out, err)
				}
				b.ReportMetric(float64(rep.Pauses), "pauses")
				b.ReportMetric(rep.PauseLatencyP50Ms, "p50-ms")
				b.ReportMetric(rep.PauseLatencyP99Ms, "p99-ms")
			}
		})
	}
}
