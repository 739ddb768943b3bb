// Package api is hush's HTTP interface: JSON resources, server-sent events,
// webhooks administration, metrics and the OpenAPI document.
package api

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/store"
)

// Config wires the API to the rest of hush.
type Config struct {
	Engine *engine.Engine
	Store  store.Store
	Logger *slog.Logger
	// Registry serves /metrics and receives the HTTP instruments.
	Registry *prometheus.Registry
	// Extra routes come from platform adapters and the recorder.
	Extra []Route
	// Console, if set, serves everything outside /v1 (the web console).
	Console http.Handler
	// SecurePageURL is the template of the secure payment page, with
	// {sessionId} and {completeUrl}.
	SecurePageURL string
	// AllowedOrigins may call the API from a browser (CORS), exactly.
	AllowedOrigins []string
	// MaxBody bounds request bodies (bytes).
	MaxBody int64
	// EventPoll is how often an event stream looks for events written by
	// another hush process sharing the database.
	EventPoll time.Duration
	Now       func() time.Time
}

// Server is the HTTP handler.
type Server struct {
	cfg     Config
	mux     *http.ServeMux
	routes  []Route
	metrics *httpMetrics
}

// New builds the handler and registers every route.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = 64 << 10
	}
	if cfg.EventPoll == 0 {
		cfg.EventPoll = time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), metrics: newHTTPMetrics(cfg.Registry)}
	s.routes = append(s.coreRoutes(), cfg.Extra...)
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Path, s.wrap(rt))
	}
	if cfg.Console != nil {
		s.mux.Handle("GET /", securityHeaders(cfg.Console))
	}
	return s
}

// Routes returns every documented route.
func (s *Server) Routes() []Route { return s.routes }

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cors(w, r) {
		return
	}
	s.mux.ServeHTTP(w, r)
}
