// Command hush-callload drives concurrent two-stream G.711 SIPREC calls
// against a running recorder and reports what it recorded: packets sent
// against packets written, finished WAV files, the CPU and memory the
// recorder spent per call, and pause latency.
//
// The recorder is hush (--target hush, the default) or loreste/siprec
// (--target loreste), driven with the same calls so the two can be
// compared:
//
//	hush serve --data /tmp/load --sip-listen 127.0.0.1:5060 --rtp-ports 20000-23999 --asr energy &
//	hush-callload --sip 127.0.0.1:5060 --api http://127.0.0.1:8080 \
//	    --key-file /tmp/load/admin.key --pid $! --calls 500 --duration 60s
//
//	hush-callload --target loreste --sip 127.0.0.1:5070 --api http://127.0.0.1:8081 \
//	    --key "$PAUSE_RESUME_API_KEY" --recordings /tmp/loreste/recordings --pid $LORESTE_PID
//
// With --pause-api, hush's pauses go to another node sharing the recorder's
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
	target string
	sip    netip.AddrPort
	api    string
	// recordings is loreste's recording directory, where the tool reads
	// the files it wrote.
	recordings string
	pauseAPI   string // hush: where pauses go, api or another node on its store
	key        string
	pid        int
	calls      int
	duration   time.Duration
	ramp       time.Duration
	pauses     int
	jsonOut    bool
	audio      string // audioTone or audioSpeech
}

// What the calls carry.
const (
	audioTone   = "tone"
	audioSpeech = "speech"
)

func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("hush-callload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.target, "target", targetHush, "the recorder: hush or loreste (loreste/siprec)")
	sip := fs.String("sip", "127.0.0.1:5060", "the recorder's SIPREC address (loopback)")
	fs.StringVar(&o.api, "api", "http://127.0.0.1:8080", "the recorder's HTTP API")
	fs.StringVar(&o.key, "key", "", "API key: hush's admin key, or loreste's PAUSE_RESUME_API_KEY (or --key-file)")
	keyFile := fs.String("key-file", "", "file holding the API key, such as DATA/admin.key")
	fs.StringVar(&o.recordings, "recordings", "", "loreste's RECORDING_DIR, read after the calls to count what it wrote")
	fs.IntVar(&o.pid, "pid", 0, "the recorder's process id, to read its CPU and memory from /proc (0: not measured)")
	fs.StringVar(&o.pauseAPI, "pause-api", "", "hush: send the pauses and resumes to this API instead, another node sharing --api's PostgreSQL store")
	fs.IntVar(&o.calls, "calls", 100, "concurrent calls")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "how long all calls stay up together")
	fs.DurationVar(&o.ramp, "ramp", 10*time.Second, "time over which the calls are placed")
	fs.IntVar(&o.pauses, "pauses", -1, "calls that get a pause mid-call to time the gate (-1: all)")
	fs.BoolVar(&o.jsonOut, "json", false, "print the report as JSON")
	fs.StringVar(&o.audio, "audio", audioTone, "what the calls carry: tone (a 440 Hz tone on both streams, all the time) or speech (a caller and an agent taking turns, espeak-ng)")
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
	switch o.target {
	case targetHush:
		if o.key == "" {
			return o, errors.New("an admin key is needed (--key or --key-file)")
		}
	case targetLoreste:
		if o.recordings == "" {
			return o, errors.New("--target loreste needs --recordings, its RECORDING_DIR")
		}
	default:
		return o, fmt.Errorf("--target %q: want hush or loreste", o.target)
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
