// Command hush-recbench compares hush's SIPREC recorder with
// loreste/siprec on this machine, in one command. It builds hush,
// hush-callload and loreste/siprec, then for each number of calls runs
// hush-callload against each recorder in turn (hush, loreste, hush,
// loreste…, with a pause between runs for the machine to settle),
// starting and stopping each server itself, and prints every figure's
// median per recorder and the ratio of the two as Markdown tables.
//
//	go run ./cmd/hush-recbench --calls 500,1000,1500 --runs 3 --duration 60s
//
// loreste/siprec is licensed under the GPL-3.0. Its source is fetched
// and built in the work directory (~/.cache/hush-bench) and run as a
// separate process on loopback; none of its code becomes part of hush.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hush-cc/hush/internal/backoff"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "hush-recbench:", err)
		os.Exit(1)
	}
}

const (
	targetHush    = "hush"
	targetLoreste = "loreste"
)

// options are the command line.
type options struct {
	calls    []int
	runs     int
	duration time.Duration
	ramp     time.Duration // 0: 50 calls a second
	settle   time.Duration
	work     string
	rtpPorts string
	loreste  loresteSource
	keep     bool
	audio    string // hush-callload's --audio
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("hush-recbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	cache, _ := os.UserCacheDir()
	calls := fs.String("calls", "500,1000,1500", "comma-separated numbers of concurrent calls")
	fs.IntVar(&o.runs, "runs", 3, "runs of each recorder at each number of calls (the table shows medians)")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "how long all calls stay up together in a run")
	fs.DurationVar(&o.ramp, "ramp", 0, "time over which a run's calls are placed (0: 50 calls a second)")
	fs.DurationVar(&o.settle, "settle", 30*time.Second, "pause between runs, for the machine to settle")
	fs.StringVar(&o.work, "work", filepath.Join(cache, "hush-bench"), "work directory: binaries, loreste/siprec's source, run data")
	fs.StringVar(&o.rtpPorts, "rtp-ports", "20000-29999", "UDP port range both recorders take RTP ports from (one runs at a time)")
	fs.StringVar(&o.loreste.repo, "loreste-repo", defaultLoresteRepo, "loreste/siprec's git repository: a URL, or a local git directory")
	fs.StringVar(&o.loreste.commit, "loreste-commit", defaultLoresteCommit, "the commit of loreste/siprec to build")
	fs.StringVar(&o.audio, "audio", "tone", "what the calls carry (hush-callload --audio): tone or speech")
	fs.BoolVar(&o.keep, "keep", false, "keep each run's recordings (they take about 2.5 MB a call a minute per recorder)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	for _, f := range strings.Split(*calls, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return o, fmt.Errorf("--calls: %q is not a positive number", f)
		}
		o.calls = append(o.calls, n)
	}
	if o.runs < 1 || o.duration <= 0 || o.ramp < 0 || o.settle < 0 {
		return o, errors.New("--runs and --duration must be positive, --ramp and --settle not negative")
	}
	lo, hi, err := portRange(o.rtpPorts)
	if err != nil {
		return o, err
	}
	// hush takes an even/odd pair per stream, two streams a call.
	if need := 4 * slices.Max(o.calls); hi-lo+1 < need {
		return o, fmt.Errorf("--rtp-ports %s: %d calls need %d ports", o.rtpPorts, slices.Max(o.calls), need)
	}
	if o.work == "" {
		return o, errors.New("--work: no directory")
	}
	return o, nil
}

// portRange parses LO-HI.
func portRange(s string) (lo, hi int, err error) {
	a, b, ok := strings.Cut(s, "-")
	lo, err1 := strconv.Atoi(a)
	hi, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || lo < 1024 || hi > 65535 || lo > hi {
		return 0, 0, fmt.Errorf("port range %q: want LO-HI within 1024-65535", s)
	}
	return lo, hi, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	bins, err := build(ctx, o, stderr)
	if err != nil {
		return err
	}
	var results []result
	first := true
	for _, n := range o.calls {
		for i := 1; i <= o.runs; i++ {
			for _, target := range []string{targetHush, targetLoreste} {
				if !first {
					fmt.Fprintf(stderr, "settling for %v\n", o.settle)
					if !backoff.Sleep(ctx, o.settle) {
						return ctx.Err()
					}
				}
				first = false
				fmt.Fprintf(stderr, "== %s, %d calls, run %d of %d\n", target, n, i, o.runs)
				res := result{Target: target, Calls: n, Run: i}
				res.Report, res.Raw, err = runOnce(ctx, o, bins, target, n, i, stderr)
				if err != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					res.Err = err.Error()
					fmt.Fprintln(stderr, "run failed:", err)
				}
				results = append(results, res)
			}
		}
	}
	out := filepath.Join(o.work, "results-"+time.Now().UTC().Format("20060102T150405Z")+".json")
	if b, err := json.MarshalIndent(results, "", "  "); err == nil {
		if err := os.WriteFile(out, b, 0o644); err == nil {
			fmt.Fprintln(stderr, "every run's report:", out)
		}
	}
	fmt.Fprintf(stdout, "hush-recbench: %d run(s) of each recorder per number of calls, all calls up for %v, %v apart; loreste/siprec %s\n",
		o.runs, o.duration, o.settle, o.loreste.commit)
	printTable(stdout, results, o.calls)
	return nil
}
