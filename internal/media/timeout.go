package media

import "time"

// expectSending records whether channel ch's peer should be sending. A
// stream that starts sending is given the whole RTP timeout from now.
func (c *Call) expectSending(ch Channel, sending bool) {
	now := c.rec.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	i := ch & 1
	if sending && !c.sending[i] {
		c.heard[i] = now
	}
	c.sending[i] = sending
}

// heardAt notes that channel i took a packet at arrival. Called with c.mu
// held.
func (c *Call) heardAt(i int, arrival time.Time) {
	if arrival.After(c.heard[i]) {
		c.heard[i] = arrival
	}
}

// silentFor reports whether the call has a stream that should be sending
// and none of those has taken a packet for timeout: its media is gone.
// It reports it once.
func (c *Call) silentFor(now time.Time, timeout time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timedOut || c.stopped(0) && c.stopped(1) {
		return false
	}
	any := false
	for i, s := range c.sending {
		if !s {
			continue
		}
		if now.Sub(c.heard[i]) < timeout {
			return false
		}
		any = true
	}
	c.timedOut = any
	return any
}

// checkSilence reports the calls whose media is gone to the recorder's
// OnMediaTimeout.
func (r *Recorder) checkSilence(calls []*Call) {
	if r.rtpTimeout <= 0 || r.onMediaTimeout == nil {
		return
	}
	now := r.now()
	for _, c := range calls {
		if c.silentFor(now, r.rtpTimeout) {
			r.metrics.timedOut()
			c.log.Warn("no rtp on any sending stream; ending the call", "timeout", r.rtpTimeout)
			go r.onMediaTimeout(c.id)
		}
	}
}
