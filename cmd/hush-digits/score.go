package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/hush-cc/hush/internal/corpus"
	"github.com/hush-cc/hush/internal/demo"
)

type scoreOptions struct {
	dir         string
	sip         netip.AddrPort
	api         demo.API
	concurrency int
	guard       time.Duration
	quiet       time.Duration
}

func score(ctx context.Context, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("hush-digits score", flag.ContinueOnError)
	var o scoreOptions
	fs.StringVar(&o.dir, "corpus", "corpus", "corpus directory (hush-digits gen)")
	sip := fs.String("sip", "127.0.0.1:5060", "hush's SIPREC address (loopback)")
	fs.StringVar(&o.api.Base, "api", "http://127.0.0.1:8080", "hush's HTTP API")
	keyFile := fs.String("key-file", "", "file holding an admin API key")
	fs.IntVar(&o.concurrency, "concurrency", 8, "calls at once")
	fs.DurationVar(&o.guard, "guard", 300*time.Millisecond, "the detector's guard, as hush is configured")
	fs.DurationVar(&o.quiet, "quiet", 4*time.Second, "the detector's quiet time, as hush is configured")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	if o.sip, err = netip.ParseAddrPort(*sip); err != nil || !o.sip.Addr().IsLoopback() {
		return fmt.Errorf("--sip %q: a loopback address and port", *sip)
	}
	key, err := os.ReadFile(*keyFile)
	if err != nil {
		return err
	}
	o.api.Key = strings.TrimSpace(string(key))
	dirs, err := filepath.Glob(filepath.Join(o.dir, "*", "truth.json"))
	if err != nil || len(dirs) == 0 {
		return fmt.Errorf("no calls in %s", o.dir)
	}
	results := make([]result, len(dirs))
	sem := make(chan struct{}, max(1, o.concurrency))
	var wg sync.WaitGroup
	for i, d := range dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = scoreOne(ctx, o, filepath.Dir(d))
		}()
	}
	wg.Wait()
	return report(w, results)
}

type result struct {
	call  corpus.Call
	score corpus.Score
	err   error
}

func scoreOne(ctx context.Context, o scoreOptions, dir string) result {
	c, err := corpus.Read(dir)
	if err != nil {
		return result{err: err}
	}
	rec, sent, err := corpus.Record(ctx, o.sip, o.api, c)
	if err != nil {
		return result{call: c, err: err}
	}
	return result{call: c, score: corpus.ScoreCall(c, rec, corpus.Scoring{Guard: o.guard, Quiet: o.quiet, CardSentAt: sent})}
}

// report prints one row per condition and the totals.
func report(w io.Writer, results []result) error {
	type agg struct {
		calls, card, leaked, digits, heard int
		falsePause, dur                    time.Duration
		lat                                []time.Duration
		errs                               []string
	}
	by := map[string]*agg{}
	total := &agg{}
	for _, r := range results {
		name := r.call.Condition.Name()
		a := by[name]
		if a == nil {
			a = &agg{}
			by[name] = a
		}
		for _, x := range []*agg{a, total} {
			x.calls++
			if r.err != nil {
				x.errs = append(x.errs, r.err.Error())
				continue
			}
			s := r.score
			x.card += s.CardFrames
			x.leaked += s.LeakedFrames
			x.digits += s.CardDigits
			x.heard += s.HeardDigits
			x.falsePause += s.FalsePause
			x.dur += s.Duration
			if s.Latency > 0 {
				x.lat = append(x.lat, s.Latency)
			}
		}
	}
	names := make([]string, 0, len(by))
	for n := range by {
		names = append(names, n)
	}
	sort.Strings(names)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "condition\tcalls\tleak WAV\tleak transcript\tfalse pause s/call-hour\tlatency p50\terrors")
	row := func(name string, a *agg) {
		leak, heard, fp := 0.0, 0.0, 0.0
		if a.card > 0 {
			leak = 100 * float64(a.leaked) / float64(a.card)
		}
		if a.digits > 0 {
			heard = 100 * float64(a.heard) / float64(a.digits)
		}
		if a.dur > 0 {
			fp = a.falsePause.Seconds() / a.dur.Hours()
		}
		p50 := "-"
		if len(a.lat) > 0 {
			sort.Slice(a.lat, func(i, j int) bool { return a.lat[i] < a.lat[j] })
			p50 = a.lat[len(a.lat)/2].Round(time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%d\t%.2f%%\t%.2f%%\t%.1f\t%s\t%d\n", name, a.calls, leak, heard, fp, p50, len(a.errs))
	}
	for _, n := range names {
		row(n, by[n])
	}
	row("all", total)
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, e := range total.errs {
		fmt.Fprintln(w, "error:", e)
	}
	return nil
}
