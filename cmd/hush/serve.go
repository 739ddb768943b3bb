package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/hush-cc/hush/internal/server"
)

func serveFlags(fs *flag.FlagSet, demo bool) (*server.Config, *string) {
	cfg := &server.Config{}
	data := "hush-data"
	if demo {
		data = "hush-demo"
	}
	fs.StringVar(&cfg.Data, "data", data, "data directory (database, recordings, admin key)")
	fs.StringVar(&cfg.Listen, "listen", "127.0.0.1:8080", "HTTP listen address")
	fs.StringVar(&cfg.StoreURL, "store", "", "postgres://… URL of a PostgreSQL database several hush nodes share (default: SQLite in --data)")
	fs.DurationVar(&cfg.ManualMaxAge, "manual-max-age", 15*time.Minute, "a manual pause is released after this long")
	fs.BoolVar(&cfg.ResumeAuto, "resume-auto", false, "let a caller's resume also release the pauses the card-digit detectors made")
	fs.DurationVar(&cfg.SecureMaxAge, "secure-max-age", 10*time.Minute, "a secure session expires after at most this long")
	fs.DurationVar(&cfg.CommitDelay, "commit-delay", 5*time.Second, "how long audio waits before it is written; also the furthest a pause reaches back")
	fs.DurationVar(&cfg.ReconcileEvery, "reconcile-every", 5*time.Second, "period of the reconciler's sweep")
	fs.StringVar(&cfg.SecurePageURL, "secure-page-url", "", "secure payment page template with {sessionId} and {completeUrl}")
	fs.String("allowed-origins", "", "comma-separated browser origins allowed to call the API (CORS)")
	fs.BoolFunc("agents-may-pause", "agents may pause and resume recording and transcription; false leaves it to supervisors and admins (default true)", func(v string) error {
		may, err := strconv.ParseBool(v)
		cfg.DenyAgentPause = !may
		return err
	})
	level := fs.String("log-level", "info", "log level: debug, info, warn, error")
	connectFlags(fs, &cfg.Connect)
	recorderFlags(fs, &cfg.Recorder)
	anchorFlags(fs, &cfg.Anchor)
	retentionFlags(fs, &cfg.Retention)
	atRestFlags(fs, &cfg.AtRest)
	clusterFlags(fs, &cfg.Cluster)
	return cfg, level
}

func serve(ctx context.Context, args []string, stderr io.Writer, demo bool) error {
	name := "serve"
	if demo {
		name = "demo"
	}
	fs := newFlags(name, stderr)
	cfg, level := serveFlags(fs, demo)
	origins := fs.Lookup("allowed-origins")
	if err := parse(fs, args); err != nil {
		return err
	}
	if demo {
		demoDefaults(fs, cfg)
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(*level)); err != nil {
		return usageError{fmt.Sprintf("--log-level: %v", err)}
	}
	for _, o := range strings.Split(origins.Value.String(), ",") {
		if o = strings.TrimSpace(o); o != "" {
			cfg.AllowedOrigins = append(cfg.AllowedOrigins, o)
		}
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lv}))
	if _, set := os.LookupEnv("GOGC"); !set {
		// Without the recorder hush keeps little live memory (about 1 KB
		// a conversation), so a lazier collector buys throughput cheaply.
		// The recorder keeps tens of KB a call live on the heap (its audio
		// is off it), and the collector's headroom over that would be a
		// third of its memory: a tighter collector keeps a call within
		// 200 KiB for about a tenth more CPU.
		gc := 400
		if cfg.Recorder.SIPListen != "" {
			gc = 50
		}
		debug.SetGCPercent(gc)
	}
	srv, err := server.New(ctx, *cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "hush is listening on http://%s\n", srv.Addr())
	if srv.AdminKeyFile() != "" {
		fmt.Fprintf(stderr, "created the first admin key; it is in %s (readable only by you)\n", srv.AdminKeyFile())
	}
	if demo {
		printDemoHelp(stderr, srv.Addr(), cfg.Data)
		go runDemoTraffic(ctx, cfg, srv)
	}
	return errors.Join(srv.Serve(ctx), srv.Close())
}
