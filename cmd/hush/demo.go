package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hush-cc/hush/internal/demo"
	"github.com/hush-cc/hush/internal/server"
)

// demoDefaults turns the recorder on for the demo, on a free loopback
// port, and points secure payments at the console's sample page, unless
// the command line or the environment said otherwise.
func demoDefaults(fs *flag.FlagSet, cfg *server.Config) {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["sip-listen"] {
		cfg.Recorder.SIPListen = "127.0.0.1:0"
	}
	if !set["secure-page-url"] {
		cfg.SecurePageURL = "/pay/?sessionId={sessionId}&completeUrl={completeUrl}"
	}
}

// runDemoTraffic places the demo's calls to srv until ctx ends (Ctrl-C).
func runDemoTraffic(ctx context.Context, cfg *server.Config, srv *server.Server) {
	key, err := os.ReadFile(filepath.Join(cfg.Data, server.AdminKeyFile))
	if err != nil {
		cfg.Logger.Warn("demo: no admin key file; secure payments and agent pauses are skipped", "err", err)
	}
	err = demo.Run(ctx, demo.Config{
		SIP:    srv.SIPAddr(),
		API:    demo.API{Base: srv.URL(), Key: strings.TrimSpace(string(key))},
		Logger: cfg.Logger,
	})
	if err != nil {
		cfg.Logger.Error("demo traffic stopped", "err", err)
	}
}

// printDemoHelp shows a newcomer how to reach the demo. The admin key is
// printed because the demo's data directory is throw-away.
func printDemoHelp(w io.Writer, addr, data string) {
	key, err := os.ReadFile(filepath.Join(data, server.AdminKeyFile))
	admin := strings.TrimSpace(string(key))
	if err != nil {
		admin = "<see " + filepath.Join(data, server.AdminKeyFile) + ">"
	}
	fmt.Fprintf(w, `
  hush demo is running: a simulated SBC is recording calls over SIPREC
  (holds, a secure payment, an agent's retroactive pause in each call).
    console:   http://%[1]s/
    admin key: %[2]s

  Try it:
    export HUSH=http://%[1]s ADMIN=%[2]s
    curl -s -H "Authorization: Bearer $ADMIN" "$HUSH/v1/conversations?active=true"
    ID=$(curl -s -H "Authorization: Bearer $ADMIN" "$HUSH/v1/conversations" | grep -o '"id":"demo-[^"]*' | head -1 | cut -d'"' -f4)
    curl -s -H "Authorization: Bearer $ADMIN" $HUSH/v1/conversations/$ID/recording/segments
    curl -s -H "Authorization: Bearer $ADMIN" $HUSH/v1/conversations/$ID/transcript
    curl -s -H "Authorization: Bearer $ADMIN" -o call.wav $HUSH/v1/conversations/$ID/recording.wav
    AGENT=$(%[5]s keys create --data %[3]s --role agent --agent alice)
    curl -s -H "Authorization: Bearer $ADMIN" -d '{"reason":"card number","retroactiveMs":2000}' $HUSH/v1/conversations/$ID/recording/pause
    curl -sN -H "Authorization: Bearer $AGENT" $HUSH/v1/events
    %[5]s audit verify --data %[3]s

  Recordings, segment maps and transcripts are in %[4]s. Ctrl-C stops.

`, addr, admin, data, filepath.Join(data, server.RecordingsDir), self())
}

// self names this binary as the user started it, for commands to copy.
func self() string {
	if exe, err := os.Executable(); err == nil {
		if rel, err := filepath.Rel(".", exe); err == nil && !strings.HasPrefix(rel, "..") {
			return "./" + rel
		}
		return exe
	}
	return "hush"
}
