package engine

import (
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
type pausedGauge struct {
	mu    sync.Mutex
	gauge *prometheus.GaugeVec
}

func (p *pausedGauge) move(before, after conversation.Conversation) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if before.ID != "" && before.Active() {
		for _, k := range before.HeldKinds() {
			p.gauge.WithLabelValues(string(k)).Dec()
		}
	}
	if after.Active() {
		for _, k := range after.HeldKinds() {
			p.gauge.WithLabelValues(string(k)).Inc()
		}
	}
}

func (p *pausedGauge) reset(convs []conversation.Conversation) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gauge.Reset()
	for _, k := range []conversation.ReasonKind{conversation.Hold, conversation.Secure, conversation.Manual, conversation.Source, conversation.Auto} {
		p.gauge.WithLabelValues(string(k)).Set(0)
	}
	for _, c := range convs {
		for _, k := range c.HeldKinds() {
			p.gauge.WithLabelValues(string(k)).Inc()
		}
	}
}
