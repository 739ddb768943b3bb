package media

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the recorder's Prometheus counters. A nil *Metrics counts
// nothing.
type Metrics struct {
	rejectedRTP *prometheus.CounterVec
	timeouts    prometheus.Counter
}

// NewMetrics registers the recorder's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		rejectedRTP: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hush_recorder_rtp_rejected_packets_total",
			Help: "RTP datagrams dropped because they did not come from the stream's negotiated peer (reason=source) or failed SRTP authentication (reason=srtp).",
		}, []string{"reason"}),
		timeouts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hush_recorder_media_timeouts_total",
			Help: "Calls ended because no RTP arrived on any sending stream for --rtp-timeout.",
		}),
	}
	reg.MustRegister(m.rejectedRTP, m.timeouts)
	return m
}

func (m *Metrics) rejected(reason string) {
	if m != nil {
		m.rejectedRTP.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) timedOut() {
	if m != nil {
		m.timeouts.Inc()
	}
}
