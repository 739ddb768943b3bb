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
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/hush-cc/hush/internal/amazonconnect"
	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/auth"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/none"
	"github.com/hush-cc/hush/internal/siprec"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/postgres"
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
	// StoreURL, when set, is a postgres:// URL: several hush nodes share
	// that database. Empty keeps SQLite in Data.
	StoreURL string
	// Cluster tunes how nodes sharing a PostgreSQL store cooperate.
	Cluster ClusterConfig
	// ResumeAuto lets agents and supervisors resume a pause the card-digit
	// detectors made, as if it were their own.
	ResumeAuto bool
	Anchor     AnchorConfig
	Retention  RetentionConfig
	AtRest     AtRestConfig
	// Logger receives hush's logs (default slog.Default()).
	Logger *slog.Logger
}

// AdminKeyFile is the name, in the data directory, of the first admin key.
const AdminKeyFile = "admin.key"

// DBFile is the name of the SQLite database in the data directory.
const DBFile = sqlite.FileName

// Store is everything the assembly keeps in its store.
type Store interface {
	store.Store
	store.Retention
	store.Anchoring
}

// Open opens the store cfg names: PostgreSQL when StoreURL is a
// postgres:// URL, else SQLite in the data directory.
func (c Config) Open(ctx context.Context) (Store, error) {
	if c.StoreURL == "" {
		return OpenStore(ctx, c.Data)
	}
	if !strings.HasPrefix(c.StoreURL, "postgres://") && !strings.HasPrefix(c.StoreURL, "postgresql://") {
		return nil, fmt.Errorf("--store %q: want a postgres:// URL (or nothing, for SQLite in the data directory)", redact(c.StoreURL))
	}
	if err := os.MkdirAll(c.Data, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	return postgres.Open(ctx, c.StoreURL, postgres.WithLogger(c.Logger))
}

// redact hides a URL's password, so that an error can name the URL.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}

// OpenStore opens (creating if needed) the store in a data directory.
func OpenStore(ctx context.Context, dir string) (*sqlite.Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	return sqlite.Open(ctx, filepath.Join(dir, DBFile))
}

// Server is a hush put together: its store open, its listeners bound,
// every backend registered with its engine. Serve runs it; Close releases
// it.
type Server struct {
	cfg    Config
	log    *slog.Logger
	store  Store
	engine *engine.Engine
	api    *api.Server
	http   *http.Server
	ln     net.Listener
	sip    netip.AddrPort
	sipTLS netip.AddrPort
	// registry holds hush's metrics, served at /metrics.
	registry *prometheus.Registry
	keyFile  string
	// node is this node's id; nodes, with a PostgreSQL store, shares the
	// work with the other nodes (nil on SQLite: this node does it all).
	node  string
	nodes *nodes
	// runners run in the background while hush serves.
	runners []func(ctx context.Context)
	// closers run at shutdown, after the runners stopped, in reverse order.
	closers []func()

	mu      sync.Mutex
	state   serverState
	closing chan struct{} // closed by Close: a running Serve shuts down
	served  chan struct{} // closed when Serve has returned
	close   sync.Once
	err     error
}

// ErrClosed is what Serve returns when Close came first.
var ErrClosed = errors.New("hush: server closed")

type serverState int

const (
	built serverState = iota
	serving
	closed
)

// New opens the store in cfg.Data (creating the first admin key on an
// empty one), builds the engine with every configured backend, the
// platform adapters and the HTTP API, and binds the HTTP listener and,
// when the recorder is on, the SIP one. Nothing is served until Serve.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	st, err := cfg.Open(ctx)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger, store: st, closing: make(chan struct{}), served: make(chan struct{})}
	if err := s.build(ctx); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	return s, nil
}

// build puts hush together: backends first, so that the engine starts with
// all of them, then what needs the engine, then the listeners.
func (s *Server) build(ctx context.Context) error {
	cfg := s.cfg
	var err error
	if s.keyFile, err = bootstrapAdmin(ctx, s.store, cfg.Data); err != nil {
		return err
	}
	if err := s.joinNodes(ctx); err != nil {
		return err
	}
	s.registry = prometheus.NewRegistry()
	registry := s.registry
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	backends := map[string]engine.Backend{none.Platform: none.Backend{}}
	conn, err := newConnect(ctx, cfg.Connect, s.store, registry)
	if err != nil {
		return err
	}
	if conn != nil {
		backends[amazonconnect.Platform] = conn.backend
	}
	rec, err := newRecorder(s, cfg.Recorder)
	if err != nil {
		return err
	}
	if rec != nil {
		backends[siprec.Platform] = recorderBackend{rec: rec.rec, self: s.node}
	}
	if err := s.setupAnchor(ctx); err != nil {
		return err
	}
	if err := s.setupRetention(); err != nil {
		return err
	}
	ecfg := engine.Config{
		Store:          s.store,
		Backends:       backends,
		Policy:         cfg.policy(),
		MaxRetroactive: cfg.CommitDelay,
		ReconcileEvery: cfg.ReconcileEvery,
		Logger:         s.log,
		Metrics:        engine.NewMetrics(registry),
	}
	if s.nodes != nil {
		ecfg.Acts = s.nodes.acts
	}
	s.engine = engine.New(ecfg)
	s.closers = append(s.closers, func() { s.engine.Close(5 * time.Second) })
	apiCfg := api.Config{
		Engine:         s.engine,
		Store:          s.store,
		Logger:         s.log,
		Registry:       registry,
		Console:        console.Handler(),
		SecurePageURL:  cfg.SecurePageURL,
		AllowedOrigins: cfg.AllowedOrigins,
		Extra:          legalHoldRoutes(s),
		DenyAgentPause: cfg.DenyAgentPause,
	}
	if conn != nil {
		if apiCfg.ConnectIngest, err = conn.attach(ctx, s); err != nil {
			return err
		}
	}
	if rec != nil {
		if err := rec.attach(ctx, s); err != nil {
			return err
		}
		apiCfg.Recordings = recordings{rec: rec.rec, opener: rec.opener}
		apiCfg.Extra = append(apiCfg.Extra, verifyRoute(s, filepath.Join(cfg.Data, RecordingsDir)))
	}
	s.api = api.New(apiCfg)
	if s.nodes != nil {
		s.nodes.engine, s.nodes.closeLost = s.engine, s.closeLost
		if rec != nil {
			s.nodes.rec = rec
		}
		s.runners = append(s.runners, s.nodes.run, func(ctx context.Context) { s.nodes.follow(ctx, s.api.Feed()) })
	}
	hooks := &webhook.Dispatcher{Store: s.store, Wake: s.engine.Signal().C, Logger: s.log}
	if s.nodes != nil {
		// One node delivers, or every subscriber would hear each event
		// once per node.
		s.runners = append(s.runners, func(ctx context.Context) { s.nodes.whileHolding(ctx, hooks.Run) })
	} else {
		s.runners = append(s.runners, hooks.Run)
	}
	if l, ok := s.store.(interface{ Listen(context.Context, func()) }); ok {
		// Other nodes' commits wake this node's event streams and webhooks.
		s.runners = append(s.runners, func(ctx context.Context) { l.Listen(ctx, s.engine.Signal().Notify) })
	}
	if s.ln, err = net.Listen("tcp", cfg.Listen); err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Listen, err)
	}
	s.http = &http.Server{
		Handler:           s.api,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.http.RegisterOnShutdown(s.api.CloseStreams)
	if s.nodes != nil {
		s.nodes.addr = s.Addr()
	}
	return nil
}

// Addr is the bound HTTP address.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is hush's HTTP base URL.
func (s *Server) URL() string { return "http://" + s.Addr() }

// SIPAddr is the recorder's bound SIP address, UDP and TCP; zero when the
// recorder is off.
func (s *Server) SIPAddr() netip.AddrPort { return s.sip }

// SIPTLSAddr is the recorder's bound SIP over TLS address; zero when SIP
// over TLS is off.
func (s *Server) SIPTLSAddr() netip.AddrPort { return s.sipTLS }

// AdminKeyFile is the file holding the first admin key when New created
// it, else "".
func (s *Server) AdminKeyFile() string { return s.keyFile }

// AdminKey reads the first admin key from AdminKeyFile.
func (s *Server) AdminKey() (string, error) {
	if s.keyFile == "" {
		return "", errors.New("the store had keys already: no admin key was created")
	}
	b, err := os.ReadFile(s.keyFile)
	if err != nil {
		return "", fmt.Errorf("read the admin key: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// Serve re-drives what an earlier run left unconverged, then serves until
// ctx ends or Close is called, then shuts down in order: stop taking
// requests and let in-flight ones finish, stop the adapters, let backend
// drives report, finalize recordings. Serve runs once; it returns nil
// after a clean shutdown.
func (s *Server) Serve(ctx context.Context) error {
	s.mu.Lock()
	switch s.state {
	case serving:
		s.mu.Unlock()
		return errors.New("hush: Serve called twice")
	case closed:
		s.mu.Unlock()
		return ErrClosed
	}
	s.state = serving
	s.mu.Unlock()
	defer close(s.served)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-s.closing:
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := s.engine.Start(ctx); err != nil {
		s.release()
		return err
	}
	// The runners outlive ctx: they stop only after the HTTP server has
	// let the requests in flight finish.
	rctx, stopRunners := context.WithCancel(context.WithoutCancel(ctx))
	wait := s.run(rctx)
	s.log.Info("hush serving", "addr", s.Addr(), "data", s.cfg.Data)
	err := serveHTTP(ctx, s.http, s.ln, s.log)
	stopRunners()
	wait()
	s.closeAll()
	return err
}

// Close shuts down a serving hush as the end of Serve's context would, and
// waits for that; it releases a hush that never served. Then it closes the
// store. It may be called more than once.
func (s *Server) Close() error {
	s.close.Do(func() {
		s.mu.Lock()
		was := s.state
		s.state = closed
		s.mu.Unlock()
		close(s.closing)
		if was == serving {
			<-s.served
		} else {
			s.release()
		}
		s.err = s.store.Close()
	})
	return s.err
}

// release stops a hush that is not serving: the HTTP listener closes, each
// runner, given an ended context, lets go of what it holds (the SIP
// sockets), then the closers run.
func (s *Server) release() {
	if s.ln != nil {
		s.ln.Close()
	}
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	s.run(ended)()
	s.closeAll()
}

// run starts the runners under ctx and returns the function that waits
// until they have returned.
func (s *Server) run(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	for _, r := range s.runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r(ctx)
		}()
	}
	return wg.Wait
}

func (s *Server) closeAll() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
}

func (c Config) policy() conversation.Policy {
	p := conversation.DefaultPolicy()
	if c.ManualMaxAge > 0 {
		p.ManualMaxAge = c.ManualMaxAge
	}
	if c.SecureMaxAge > 0 {
		p.SecureMaxAge = c.SecureMaxAge
	}
	p.ResumeAuto = c.ResumeAuto
	return p
}

// serveHTTP serves on ln until ctx ends, then shuts down: the server's
// shutdown hooks end the long-lived streams (server-sent events), which
// would otherwise hold the shutdown up, while ordinary requests in flight
// get to finish with their contexts intact.
func serveHTTP(ctx context.Context, srv *http.Server, ln net.Listener, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
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
func bootstrapAdmin(ctx context.Context, st store.Store, dir string) (string, error) {
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
