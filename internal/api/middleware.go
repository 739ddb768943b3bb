package api

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/auth"
	"github.com/hush-cc/hush/web/console"
)

type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hush_http_requests_total",
			Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hush_http_request_duration_seconds",
			Help:    "HTTP request latency by route.",
			Buckets: prometheus.ExponentialBuckets(0.0002, 2.5, 12),
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// wrap adds metrics, body limits, security headers and authentication.
func (s *Server) wrap(rt Route) http.Handler {
	return securityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if !rt.Stream {
				s.metrics.latency.WithLabelValues(rt.Path, rt.Method).Observe(time.Since(start).Seconds())
			}
			s.metrics.requests.WithLabelValues(rt.Path, rt.Method, strconv.Itoa(max(sw.code, 200))).Inc()
		}()
		r.Body = http.MaxBytesReader(sw, r.Body, s.cfg.MaxBody)
		if k := unknownQuery(rt, r); k != "" {
			WriteError(sw, http.StatusBadRequest, "invalid_request", "unknown query parameter "+strconv.Quote(k)+"; "+takes(rt))
			return
		}
		if len(rt.Roles) > 0 {
			p, ok := s.authenticate(sw, r)
			if !ok {
				return
			}
			if !slices.Contains(rt.Roles, p.Role) {
				s.deny(sw, r, p, "role "+string(p.Role)+" may not call "+rt.Method+" "+rt.Path, "")
				return
			}
			r = r.WithContext(withPrincipal(r.Context(), p))
		}
		rt.Handler(sw, r)
	}))
}

func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (auth.Principal, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		WriteError(w, http.StatusUnauthorized, "unauthenticated", "an Authorization: Bearer <key> header is required")
		return auth.Principal{}, false
	}
	p, err := auth.Authenticate(r.Context(), s.cfg.Store, strings.TrimSpace(token), s.cfg.Now())
	if err != nil {
		var refused *auth.RefusedError
		if errors.As(err, &refused) {
			s.denials.record(r.Context(), p.KeyID, r.Method+" "+routePattern(r), audit.Entry{
				At: s.cfg.Now(), Actor: p.Name(), ActorName: p.DisplayName, Action: "key.refused",
				Reason: r.Method + " " + routePattern(r), Outcome: "denied: key " + refused.Why,
			})
		}
		if errors.Is(err, auth.ErrUnauthenticated) {
			WriteError(w, http.StatusUnauthorized, "unauthenticated", err.Error())
		} else {
			s.internalError(w, r, err)
		}
		return auth.Principal{}, false
	}
	return p, true
}

// deny answers 403 and audits the denial, coalesced with the key's other
// denials on the same route (see denials). The denial is recorded even if
// the client hangs up meanwhile.
func (s *Server) deny(w http.ResponseWriter, r *http.Request, p auth.Principal, why, conversationID string) {
	route := r.Method + " " + routePattern(r)
	s.denials.record(r.Context(), p.KeyID, route, audit.Entry{
		At:             s.cfg.Now(),
		ConversationID: conversationID,
		Actor:          p.Name(),
		ActorName:      p.DisplayName,
		Action:         "access.denied",
		Reason:         route,
		Outcome:        "denied: " + why,
	})
	WriteError(w, http.StatusForbidden, "forbidden", why)
}

// routePattern is the route r matched, as written in the route table: a
// bounded set, unlike the path the caller sent.
func routePattern(r *http.Request) string {
	_, pattern, _ := strings.Cut(r.Pattern, " ")
	if pattern == "" {
		return "(unrouted)"
	}
	return pattern
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Content-Security-Policy", console.ContentSecurityPolicy)
		h.ServeHTTP(w, r)
	})
}

// cors answers preflight requests from allowed origins and marks allowed
// responses; it reports whether the request is fully handled.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) bool {
	if len(s.cfg.AllowedOrigins) == 0 {
		return false
	}
	h := w.Header()
	// Every answer depends on the origin, allowed or not: a cache must not
	// hand one origin's answer to another.
	h.Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	if origin == "" || !slices.Contains(s.cfg.AllowedOrigins, origin) {
		return false
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Expose-Headers", "Content-Type")
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		h.Set("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID")
		h.Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
		return true
	}
	return false
}
