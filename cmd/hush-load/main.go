// Command hush-load drives a running hush with pause and resume requests at
// a steady rate and reports latency percentiles. Requests are sent on a fixed
// schedule whatever the server does (open loop), and each latency is counted
// from the moment its request was due, so a slow server cannot hide delay.
// Given several URLs (hush nodes sharing one PostgreSQL database) it sends
// to them in turn.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hush-cc/hush/internal/backoff"
)

// options are hush-load's command line.
type options struct {
	url, keyFile     string
	rate, convs      int
	duration, warmup time.Duration
}

// parseOptions reads the command line and refuses values the load loop
// cannot run with (a zero rate would divide by zero).
func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("hush-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080", "hush base URL; several, comma-separated, take the requests in turn")
	fs.StringVar(&o.keyFile, "key-file", "hush-data/admin.key", "file holding an admin key")
	fs.IntVar(&o.rate, "rate", 1000, "requests per second (1 to 1000000000)")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "how long to send (bounded to 10 minutes)")
	fs.DurationVar(&o.warmup, "warmup", 3*time.Second, "sent but not counted")
	fs.IntVar(&o.convs, "conversations", 500, "conversations to spread requests over")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case len(bases(o.url)) == 0:
		return o, errors.New("--url names no URL")
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.rate < 1 || o.rate > int(time.Second):
		return o, fmt.Errorf("--rate must be between 1 and %d, not %d", int(time.Second), o.rate)
	case o.convs < 1:
		return o, fmt.Errorf("--conversations must be at least 1, not %d", o.convs)
	case o.duration <= 0:
		return o, fmt.Errorf("--duration must be positive, not %v", o.duration)
	case o.warmup < 0:
		return o, fmt.Errorf("--warmup must not be negative, not %v", o.warmup)
	}
	o.duration = min(o.duration, 10*time.Minute)
	return o, nil
}

func main() {
	o, err := parseOptions(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hush-load:", err)
		os.Exit(2)
	}
	key, err := os.ReadFile(o.keyFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hush-load:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	l := &loader{bases: bases(o.url), key: strings.TrimSpace(string(key)), client: &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 2000, MaxConnsPerHost: 0},
	}}
	if err := l.register(ctx, o.convs); err != nil {
		fmt.Fprintln(os.Stderr, "hush-load:", err)
		os.Exit(1)
	}
	res := l.run(ctx, o.rate, o.warmup, o.duration, o.convs)
	res.print(os.Stdout, o.rate)
}

type loader struct {
	// bases are the nodes' URLs; request i goes to bases[i%len(bases)].
	bases  []string
	key    string
	client *http.Client
	prefix string
}

// bases splits a comma-separated list of URLs.
func bases(list string) []string {
	var out []string
	for _, u := range strings.Split(list, ",") {
		if u = strings.TrimRight(strings.TrimSpace(u), "/"); u != "" {
			out = append(out, u)
		}
	}
	return out
}

func (l *loader) post(ctx context.Context, i int, path, body string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.bases[i%len(l.bases)]+path, bytes.NewBufferString(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+l.key)
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func (l *loader) register(ctx context.Context, n int) error {
	l.prefix = fmt.Sprintf("load-%d-", time.Now().UnixNano())
	for i := range n {
		code, err := l.post(ctx, i, "/v1/conversations", fmt.Sprintf(`{"id":"%s%d","agentId":"load"}`, l.prefix, i))
		if err != nil || code != http.StatusCreated {
			return fmt.Errorf("register conversation %d: status %d: %v", i, code, err)
		}
	}
	return nil
}

type results struct {
	mu        sync.Mutex
	latencies []time.Duration
	errors    int
	sent      int
	elapsed   time.Duration
}

func (l *loader) run(ctx context.Context, rate int, warmup, duration time.Duration, convs int) *results {
	res := &results{}
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	end := start.Add(warmup + duration)
	var wg sync.WaitGroup
	paused := make([]bool, convs)
	for i := 0; ; i++ {
		due := start.Add(time.Duration(i) * interval)
		if due.After(end) || ctx.Err() != nil {
			break
		}
		if !backoff.Sleep(ctx, time.Until(due)) {
			break
		}
		c := i % convs
		op := "pause"
		if paused[c] {
			op = "resume"
		}
		paused[c] = !paused[c]
		counted := due.After(start.Add(warmup))
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, err := l.post(ctx, i, fmt.Sprintf("/v1/conversations/%s%d/recording/%s", l.prefix, c, op), `{"reason":"load"}`)
			lat := time.Since(due)
			if !counted {
				return
			}
			res.mu.Lock()
			defer res.mu.Unlock()
			res.sent++
			if err != nil || code != http.StatusAccepted {
				res.errors++
				return
			}
			res.latencies = append(res.latencies, lat)
		}()
	}
	// An interrupted run counts only the time it was sending.
	res.elapsed = min(max(time.Since(start.Add(warmup)), 0), duration)
	wg.Wait()
	return res
}

func (r *results) print(w io.Writer, rate int) {
	slices.Sort(r.latencies)
	pct := func(p float64) time.Duration {
		if len(r.latencies) == 0 {
			return 0
		}
		return r.latencies[min(len(r.latencies)-1, int(p*float64(len(r.latencies))))]
	}
	achieved := 0.0
	if r.elapsed > 0 {
		achieved = float64(r.sent) / r.elapsed.Seconds()
	}
	fmt.Fprintf(w, "target %d req/s for %v: sent %d, ok %d, errors %d, achieved %.0f req/s\n",
		rate, r.elapsed, r.sent, len(r.latencies), r.errors, achieved)
	fmt.Fprintf(w, "latency p50 %v  p90 %v  p99 %v  p99.9 %v  max %v\n",
		pct(0.50).Round(10*time.Microsecond), pct(0.90).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond),
		pct(0.999).Round(10*time.Microsecond), pct(1).Round(10*time.Microsecond))
}
