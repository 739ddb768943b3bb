// Package api is hush's HTTP interface: JSON resources, server-sent events,
// webhooks administration, metrics and the OpenAPI document.
package api

import (
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/feed"
	"github.com/hush-cc/hush/internal/store"
)

// Config wires the API to the rest of hush.
type Config struct {
	Engine *engine.Engine
	Store  store.Store
	Logger *slog.Logger
	// Registry serves /metrics and receives the HTTP instruments.
	Registry *prometheus.Registry
	// Recordings, if set, serves the built-in recorder's documents.
	Recordings Recordings
	// ConnectIngest, if set, takes Amazon Connect agent events over HTTP.
	ConnectIngest ConnectIngest
	// Extra are routes the assembly adds (legal holds, recording checks),
	// served, authorized and documented like the API's own.
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
	// DenialWindow is how long repeated refusals of one key on one route
	// are counted before their count is audited (default one minute).
	DenialWindow time.Duration
	// StreamsPerKey and Streams cap open event streams per API key and in
	// all (DefaultStreamsPerKey, DefaultStreams when 0); beyond, 429.
	StreamsPerKey int
	Streams       int
	// DenyAgentPause switches off agents' pause and resume (Dynamics 365's
	// "Allow agents to pause and resume" unticked); supervisors, admins and
	// platform events still pause.
	DenyAgentPause bool
	Now            func() time.Time
}

// Server is the HTTP handler.
type Server struct {
	cfg     Config
	mux     *http.ServeMux
	routes  []Route
	metrics *httpMetrics
	// feed is the process's one reader of the event log, shared by every
	// event stream.
	feed    *feed.Feed
	streams *streamCaps
	// streamsDone is closed by CloseStreams.
	streamsDone  chan struct{}
	closeStreams sync.Once
	denials      *denials
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
	if cfg.DenialWindow == 0 {
		cfg.DenialWindow = time.Minute
	}
	if cfg.StreamsPerKey <= 0 {
		cfg.StreamsPerKey = DefaultStreamsPerKey
	}
	if cfg.Streams <= 0 {
		cfg.Streams = DefaultStreams
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), metrics: newHTTPMetrics(cfg.Registry), streamsDone: make(chan struct{})}
	s.denials = newDenials(cfg.DenialWindow, cfg.Now, cfg.Store.AppendAudit, cfg.Logger)
	s.streams = newStreamCaps(cfg.Registry, cfg.StreamsPerKey, cfg.Streams)
	fc := feed.Config{Source: cfg.Store, Poll: cfg.EventPoll, Logger: cfg.Logger}
	if cfg.Engine != nil {
		fc.Wake = cfg.Engine.Signal().C
	}
	s.feed = feed.New(fc)
	s.routes = append(append(append(s.coreRoutes(), s.recordingRoutes()...), s.connectRoutes()...), cfg.Extra...)
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Path, s.wrap(rt))
	}
	if cfg.Console != nil {
		s.mux.Handle(consolePattern, securityHeaders(cfg.Console))
	}
	return s
}

// CloseStreams ends every event stream, open or opened later, so that a
// server shutting down is not held up by them. Other requests are not
// touched: they finish as usual. Repeated refusals counted so far are
// audited now, so a shutdown loses none.
func (s *Server) CloseStreams() {
	s.closeStreams.Do(func() {
		close(s.streamsDone)
		s.feed.Close()
	})
	s.denials.close()
}

// Feed is the process's one reader of the event log, which the assembly's
// own readers share with the event streams.
func (s *Server) Feed() *feed.Feed { return s.feed }

// Routes returns every documented route.
func (s *Server) Routes() []Route { return s.routes }

// consolePattern is where the console is mounted, beside the API.
const consolePattern = "GET /"

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cors(w, r) {
		return
	}
	if strings.HasPrefix(r.URL.Path, "/v1/") && !s.routed(r) {
		securityHeaders(http.HandlerFunc(s.noRoute)).ServeHTTP(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// routed reports whether an API route matches r.
func (s *Server) routed(r *http.Request) bool {
	_, pattern := s.mux.Handler(r)
	return pattern != "" && pattern != consolePattern
}

// noRoute answers a request under /v1 that no route matches in the API's
// error shape: 405 naming the methods the path does take, else 404.
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := *r
		probe.Method = m
		if m != r.Method && s.routed(&probe) {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		WriteError(w, http.StatusNotFound, "not_found", "no such route: "+r.URL.Path)
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	WriteError(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed here; use "+strings.Join(allow, " or "))
}
