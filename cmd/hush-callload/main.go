// Command hush-callload drives concurrent two-stream G.711 SIPREC calls
// against a running hush recorder and reports what it recorded: packets
// sent against packets written, finished WAV files, the CPU and memory
// hush spent per call, and pause latency (API request to closed gate).
//
//	hush serve --data /tmp/load --sip-listen 127.0.0.1:5060 --rtp-ports 20000-23999 --asr energy &
//	hush-callload --sip 127.0.0.1:5060 --api http://127.0.0.1:8080 \
//	    --key-file /tmp/load/admin.key --pid $! --calls 500 --duration 60s
//
// With --pause-api, the pauses go to another node sharing the recorder's
// PostgreSQL store, and the latency is that of a pause crossing nodes.
//
// It only sends to the addresses it is given; keep them on loopback.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "hush-callload:", err)
		os.Exit(1)
	}
}

// options are the command line.
type options struct {
	sip      netip.AddrPort
	api      string
	pauseAPI string // where pauses go: api, or another node on its store
	key      string
	pid      int
	calls    int
	duration time.Duration
	ramp     time.Duration
	pauses   int
	jsonOut  bool
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("hush-callload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	sip := fs.String("sip", "127.0.0.1:5060", "hush's SIPREC address (loopback)")
	fs.StringVar(&o.api, "api", "http://127.0.0.1:8080", "hush's HTTP API")
	fs.StringVar(&o.pauseAPI, "pause-api", "", "send the pauses and resumes to this API instead: another node sharing --api's PostgreSQL store")
	fs.StringVar(&o.key, "key", "", "admin API key (or --key-file)")
	keyFile := fs.String("key-file", "", "file holding the admin API key, such as DATA/admin.key")
	fs.IntVar(&o.pid, "pid", 0, "hush's process id, to read its CPU and memory from /proc (0: not measured)")
	fs.IntVar(&o.calls, "calls", 100, "concurrent calls")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "how long all calls stay up together")
	fs.DurationVar(&o.ramp, "ramp", 10*time.Second, "time over which the calls are placed")
	fs.IntVar(&o.pauses, "pauses", -1, "calls that get a pause mid-call to time the gate (-1: all)")
	fs.BoolVar(&o.jsonOut, "json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	addr, err := netip.ParseAddrPort(*sip)
	if err != nil {
		return o, fmt.Errorf("--sip: %w", err)
	}
	if !addr.Addr().IsLoopback() {
		return o, errors.New("--sip must be a loopback address: this tool floods its target")
	}
	o.sip = addr
	if *keyFile != "" {
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			return o, err
		}
		o.key = strings.TrimSpace(string(b))
	}
	if o.key == "" {
		return o, errors.New("an admin key is needed (--key or --key-file)")
	}
	if o.calls < 1 || o.duration <= 0 || o.ramp < 0 {
		return o, errors.New("--calls, --duration and --ramp must be positive")
	}
	if o.pauses < 0 || o.pauses > o.calls {
		o.pauses = o.calls
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	rep, err := load(ctx, o, stderr)
	if err != nil {
		return err
	}
	if o.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	rep.print(stdout)
	return nil
}
