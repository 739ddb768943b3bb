package api

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Default caps on open event streams.
const (
	DefaultStreamsPerKey = 8
	DefaultStreams       = 4096
)

// streamCaps counts open event streams per key and in all, so one key
// cannot hold the server's memory with streams.
type streamCaps struct {
	perKey, total int

	mu    sync.Mutex
	byKey map[string]int
	open  int

	gauge   prometheus.Gauge
	refused *prometheus.CounterVec
}

func newStreamCaps(reg prometheus.Registerer, perKey, total int) *streamCaps {
	c := &streamCaps{
		perKey: perKey, total: total, byKey: map[string]int{},
		gauge: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hush_event_streams_open", Help: "Event streams open now.",
		}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hush_event_streams_refused_total", Help: "Event streams refused with 429, by the cap reached (key, total).",
		}, []string{"cap"}),
	}
	reg.MustRegister(c.gauge, c.refused)
	return c
}

// acquire counts a new stream of key; it reports false (and counts a
// refusal) when a cap is reached. release must be called when the stream
// ends.
func (c *streamCaps) acquire(key string) (release func(), ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.open >= c.total:
		c.refused.WithLabelValues("total").Inc()
		return nil, false
	case c.byKey[key] >= c.perKey:
		c.refused.WithLabelValues("key").Inc()
		return nil, false
	}
	c.open++
	c.byKey[key]++
	c.gauge.Inc()
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.open--
			if c.byKey[key]--; c.byKey[key] <= 0 {
				delete(c.byKey, key)
			}
			c.gauge.Dec()
		})
	}, true
}
