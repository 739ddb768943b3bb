package siprec

import "github.com/prometheus/client_golang/prometheus"

// Metrics count what the recording server refuses and tears down.
type Metrics struct {
	// Refused counts refused INVITEs that would open a session, by
	// reason: no-rtp-ports (503), forbidden-source (403), exists (403).
	Refused *prometheus.CounterVec
	// ACKTimeouts counts sessions torn down because the ACK to their
	// 200 OK never came.
	ACKTimeouts prometheus.Counter
	// Rejected counts in-dialog requests refused for their tags (481)
	// or their source (403).
	Rejected *prometheus.CounterVec
}

// Refusal reasons counted by Metrics.Refused.
const (
	refusedNoPorts   = "no-rtp-ports"
	refusedForbidden = "forbidden-source"
	refusedExists    = "exists"
)

// NewMetrics makes the recording server's metrics, registered with reg
// when it is not nil.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hush_siprec_invites_refused_total",
			Help: "INVITEs refused before a recording session opened, by reason.",
		}, []string{"reason"}),
		ACKTimeouts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hush_siprec_ack_timeouts_total",
			Help: "Recording sessions torn down because the ACK to their 200 OK never came.",
		}),
		Rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hush_siprec_in_dialog_rejected_total",
			Help: "In-dialog requests refused: wrong tags (481) or a source other than the dialog's peer (403).",
		}, []string{"status"}),
	}
	for _, r := range []string{refusedNoPorts, refusedForbidden, refusedExists} {
		m.Refused.WithLabelValues(r)
	}
	if reg != nil {
		reg.MustRegister(m.Refused, m.ACKTimeouts, m.Rejected)
	}
	return m
}
