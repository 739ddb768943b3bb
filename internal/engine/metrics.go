package engine

import (
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hush-cc/hush/internal/conversation"
)

// Metrics are the engine's Prometheus instruments.
type Metrics struct {
	Operations    *prometheus.CounterVec
	Drives        *prometheus.HistogramVec
	Paused        *prometheus.GaugeVec
	ReconcilerLag prometheus.Gauge
}

// NewMetrics creates the instruments and registers them with reg (nil: not
// registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hush_operations_total",
			Help: "Completed recording and transcription operations by result.",
		}, []string{"capability", "operation", "result"}),
		Drives: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hush_backend_drive_seconds",
			Help:    "Duration of backend drives including retries.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 9),
		}, []string{"platform", "result"}),
		Paused: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hush_paused_conversations",
			Help: "Live conversations holding a pause reason, by reason kind.",
		}, []string{"reason"}),
		ReconcilerLag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hush_reconciler_lag_seconds",
			Help: "How long the oldest unconverged capability has differed from its desired state, at the last sweep.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.Operations, m.Drives, m.Paused, m.ReconcilerLag)
	}
	return m
}

func (m *Metrics) observeEvents(evs []conversation.Event) {
	for _, ev := range evs {
		if op, ok := ev.Data.(conversation.OperationCompleted); ok {
			m.Operations.WithLabelValues(string(op.Capability), string(op.Operation), op.Result).Inc()
		}
	}
}

func (m *Metrics) observeDrive(platform string, err error, d time.Duration) {
	result := "succeeded"
	switch {
	case IsPermanent(err):
		result = "failed_final"
	case err != nil:
		result = "failed"
	}
	m.Drives.WithLabelValues(platform, result).Observe(d.Seconds())
}

// pausedGauge keeps hush_paused_conversations in step with every change.
// Every command moves it, so a move takes no exclusive lock: it changes
// only the kinds that differ, through gauges looked up once per reset (a
// gauge's Inc and Dec are atomic). The lock keeps moves out of a reset.
type pausedGauge struct {
	mu     sync.RWMutex
	gauge  *prometheus.GaugeVec
	gauges map[conversation.ReasonKind]prometheus.Gauge // set by reset, then only read
}

// gaugedKinds are the kinds reset shows at zero when none is held.
var gaugedKinds = []conversation.ReasonKind{conversation.Hold, conversation.Secure, conversation.Manual, conversation.Source, conversation.Auto}

func (p *pausedGauge) move(before, after *conversation.Conversation) {
	var bbuf, abuf [8]conversation.ReasonKind
	var was, is []conversation.ReasonKind
	if before.ID != "" && before.Active() {
		was = heldKinds(before, bbuf[:0])
	}
	if after.Active() {
		is = heldKinds(after, abuf[:0])
	}
	if slices.Equal(was, is) {
		return
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	for _, k := range was {
		if !slices.Contains(is, k) {
			p.kind(k).Dec()
		}
	}
	for _, k := range is {
		if !slices.Contains(was, k) {
			p.kind(k).Inc()
		}
	}
}

// kind returns the gauge of reason kind k; p.mu is held.
func (p *pausedGauge) kind(k conversation.ReasonKind) prometheus.Gauge {
	if g, ok := p.gauges[k]; ok {
		return g
	}
	return p.gauge.WithLabelValues(string(k))
}

// heldKinds appends to kinds the reason kinds c holds on any capability,
// once each, in the order HeldKinds returns them.
func heldKinds(c *conversation.Conversation, kinds []conversation.ReasonKind) []conversation.ReasonKind {
	for _, k := range conversation.AllCapabilities() {
		for _, r := range c.Cap(k).Reasons {
			if !slices.Contains(kinds, r.Kind) {
				kinds = append(kinds, r.Kind)
			}
		}
	}
	return kinds
}

func (p *pausedGauge) reset(convs []conversation.Conversation) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gauge.Reset()
	p.gauges = make(map[conversation.ReasonKind]prometheus.Gauge, len(gaugedKinds))
	for _, k := range gaugedKinds {
		g := p.gauge.WithLabelValues(string(k))
		g.Set(0)
		p.gauges[k] = g
	}
	for _, c := range convs {
		for _, k := range c.HeldKinds() {
			p.kind(k).Inc()
		}
	}
}
