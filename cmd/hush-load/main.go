// Command hush-load drives a running hush with pause and resume requests at
// a steady rate and reports latency percentiles. Requests are sent on a fixed
// schedule whatever the server does (open loop), and each latency is counted
// from the moment its request was due, so a slow server cannot hide delay.
package main

import (
	"bytes"
	"context"
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
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "hush base URL")
	keyFile := flag.String("key-file", "hush-data/admin.key", "file holding an admin key")
	rate := flag.Int("rate", 1000, "requests per second")
	duration := flag.Duration("duration", 20*time.Second, "how long to send (bounded to 10 minutes)")
	warmup := flag.Duration("warmup", 3*time.Second, "sent but not counted")
	convs := flag.Int("conversations", 500, "conversations to spread requests over")
	flag.Parse()
	if *duration > 10*time.Minute {
		*duration = 10 * time.Minute
	}
	key, err := os.ReadFile(*keyFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hush-load:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	l := &loader{base: strings.TrimRight(*url, "/"), key: strings.TrimSpace(string(key)), client: &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 2000, MaxConnsPerHost: 0},
	}}
	if err := l.register(ctx, *convs); err != nil {
		fmt.Fprintln(os.Stderr, "hush-load:", err)
		os.Exit(1)
	}
	res := l.run(ctx, *rate, *warmup, *duration, *convs)
	res.print(os.Stdout, *rate)
}

type loader struct {
	base   string
	key    string
	client *http.Client
	prefix string
}

func (l *loader) post(ctx context.Context, path, body string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.base+path, bytes.NewBufferString(body))
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
		code, err := l.post(ctx, "/v1/conversations", fmt.Sprintf(`{"id":"%s%d","agentId":"load"}`, l.prefix, i))
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
		time.Sleep(time.Until(due))
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
			code, err := l.post(ctx, fmt.Sprintf("/v1/conversations/%s%d/recording/%s", l.prefix, c, op), `{"reason":"load"}`)
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
	wg.Wait()
	res.elapsed = duration
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
	fmt.Fprintf(w, "target %d req/s for %v: sent %d, ok %d, errors %d, achieved %.0f req/s\n",
		rate, r.elapsed, r.sent, len(r.latencies), r.errors, float64(r.sent)/r.elapsed.Seconds())
	fmt.Fprintf(w, "latency p50 %v  p90 %v  p99 %v  p99.9 %v  max %v\n",
		pct(0.50).Round(10*time.Microsecond), pct(0.90).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond),
		pct(0.999).Round(10*time.Microsecond), pct(1).Round(10*time.Microsecond))
}
