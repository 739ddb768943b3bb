// Package server assembles a running hush: store, engine, backends, HTTP API,
// webhooks and platform adapters, with graceful shutdown.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/auth"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/none"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/sqlite"
	"github.com/hush-cc/hush/internal/webhook"
	"github.com/hush-cc/hush/web/console"
)

// Config is everything `hush serve` is told.
type Config struct {
	Data           string
	Listen         string
	ManualMaxAge   time.Duration
	SecureMaxAge   time.Duration
	CommitDelay    time.Duration
	ReconcileEvery time.Duration
	SecurePageURL  string
	AllowedOrigins []string
	// DenyAgentPause switches off agents' pause and resume.
	DenyAgentPause bool
	Connect        ConnectConfig
	Recorder       RecorderConfig
	// Logger receives hush's logs (default slog.Default()).
	Logger *slog.Logger
	// Ready, if set, receives the bound HTTP address and the admin key
	// file (empty when keys existed already) once hush serves.
	Ready func(addr, adminKeyFile string)
}

// AdminKeyFile is the name, in the data directory, of the first admin key.
const AdminKeyFile = "admin.key"

// DBFile is the name of the SQLite database in the data directory.
const DBFile = sqlite.FileName

// OpenStore opens (creating if needed) the store in a data directory.
func OpenStore(ctx context.Context, dir string) (*sqlite.Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	return sqlite.Open(ctx, filepath.Join(dir, DBFile))
}

// assembly is a hush being put together. Platform adapters (setupConnect,
// setupRecorder) add backends before the engine exists, then routes and
// background runners once it does.
type assembly struct {
	cfg      Config
	log      *slog.Logger
	store    *sqlite.Store
	registry *prometheus.Registry
	backends map[string]engine.Backend
	engine   *engine.Engine
	// api is set once the HTTP handler exists; route handlers may use it
	// at request time (for Access checks).
	api    *api.Server
	routes []api.Route
	// late hooks run after the engine is created, before it starts.
	late []func(ctx context.Context) error
	// runners run in the background until shutdown.
	runners []func(ctx context.Context)
	// closers run at shutdown, after the runners stopped, in reverse order.
	closers []func()
}

// Run serves until ctx ends, then shuts down in order: stop taking requests
// and let in-flight ones finish, stop adapters, let backend drives report,
// close the store.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	log := cfg.Logger
	st, err := OpenStore(ctx, cfg.Data)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("close store", "err", err)
		}
	}()
	keyFile, err := bootstrapAdmin(ctx, st, cfg.Data)
	if err != nil {
		return err
	}
	a := &assembly{cfg: cfg, log: log, store: st, registry: prometheus.NewRegistry(),
		backends: map[string]engine.Backend{none.Platform: none.Backend{}}}
	a.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	defer a.close()
	for _, setup := range []func(context.Context, *assembly) error{setupConnect, setupRecorder} {
		if err := setup(ctx, a); err != nil {
			return err
		}
	}
	a.engine = engine.New(engine.Config{
		Store:          st,
		Backends:       a.backends,
		Policy:         cfg.policy(),
		MaxRetroactive: cfg.CommitDelay,
		ReconcileEvery: cfg.ReconcileEvery,
		Logger:         log,
		Metrics:        engine.NewMetrics(a.registry),
	})
	a.closers = append(a.closers, func() { a.engine.Close(5 * time.Second) })
	for _, hook := range a.late {
		if err := hook(ctx); err != nil {
			return err
		}
	}
	if err := a.engine.Start(ctx); err != nil {
		return err
	}
	a.api = api.New(api.Config{
		Engine:         a.engine,
		Store:          st,
		Logger:         log,
		Registry:       a.registry,
		Extra:          a.routes,
		Console:        console.Handler(),
		SecurePageURL:  cfg.SecurePageURL,
		AllowedOrigins: cfg.AllowedOrigins,
		DenyAgentPause: cfg.DenyAgentPause,
	})
	hooks := &webhook.Dispatcher{Store: st, Wake: a.engine.Signal().C, Logger: log}
	a.runners = append(a.runners, hooks.Run)
	stopRunners := a.startRunners()
	defer stopRunners()
	return serveHTTP(ctx, cfg, a.api, a.api.CloseStreams, keyFile)
}

func (c Config) policy() conversation.Policy {
	p := conversation.DefaultPolicy()
	if c.ManualMaxAge > 0 {
		p.ManualMaxAge = c.ManualMaxAge
	}
	if c.SecureMaxAge > 0 {
		p.SecureMaxAge = c.SecureMaxAge
	}
	return p
}

// startRunners starts the background runners and returns the function that
// stops them and waits until they have.
func (a *assembly) startRunners() func() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, run := range a.runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(ctx)
		}()
	}
	return func() {
		cancel()
		wg.Wait()
	}
}

func (a *assembly) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}

// serveHTTP serves h until ctx ends, then shuts down: stopStreams ends the
// long-lived streams (server-sent events), which would otherwise hold the
// shutdown up, while ordinary requests in flight get to finish with their
// contexts intact.
func serveHTTP(ctx context.Context, cfg Config, h http.Handler, stopStreams func(), keyFile string) error {
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Listen, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(stopStreams)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	cfg.Logger.Info("hush serving", "addr", ln.Addr().String(), "data", cfg.Data)
	if cfg.Ready != nil {
		cfg.Ready(ln.Addr().String(), keyFile)
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	cfg.Logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// bootstrapAdmin creates the first admin key on an empty store and writes it
// to a file only the owner can read. It returns that file's path, or "" when
// keys already existed.
func bootstrapAdmin(ctx context.Context, st *sqlite.Store, dir string) (string, error) {
	n, err := st.CountKeys(ctx)
	if err != nil {
		return "", fmt.Errorf("count keys: %w", err)
	}
	if n > 0 {
		return "", nil
	}
	token, _, err := auth.Issue(ctx, st, auth.Admin, "", "hush:bootstrap", time.Now())
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, AdminKeyFile)
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write admin key: %w", err)
	}
	return path, nil
}

var _ store.Store = (*sqlite.Store)(nil)
