// Command hush-digits builds the card-digit corpus and scores hush's
// recorder on it: how much card-digit audio reached the WAV or the
// transcript, how long the detectors paused where no digit was, and how
// fast they closed the gate.
//
//	hush-digits gen --out /tmp/corpus --per-condition 2
//	hush serve --data /tmp/d --sip-listen 127.0.0.1:5060 --rtp-ports 20000-20999 &
//	hush-digits score --corpus /tmp/corpus --sip 127.0.0.1:5060 \
//	    --api http://127.0.0.1:8080 --key-file /tmp/d/admin.key
//
// It sends only to the addresses it is given; keep them on loopback.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "hush-digits:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: hush-digits gen|score [flags]")
	}
	switch args[0] {
	case "gen":
		return gen(ctx, args[1:])
	case "score":
		return score(ctx, args[1:], os.Stdout)
	}
	return fmt.Errorf("unknown command %q: gen or score", args[0])
}
