package media

import (
	"time"

	"github.com/hush-cc/hush/internal/conversation"
)

// provisional is a pause a gate took before it was durable: the
// transaction it serves and the position it shut the gate from.
type provisional struct {
	txn  string
	from int64
}

// anticipate shuts the gate of capability k from at on, before the pause
// is durable. Only a gate that is open, with no span the pause would join,
// is shut early, so that withdraw can remove exactly what it added;
// otherwise the pause waits for its drive. Called once the engine has
// decided the pause, it spares the pause the write's fsync.
func (c *Call) anticipate(k conversation.Capability, at time.Time, reasons []conversation.Reason, txn string) {
	i, err := capIndex(k)
	if err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.rec.now()
	if c.stopped(i) {
		return
	}
	if at.IsZero() {
		at = now
	}
	from := max(c.tl.ceil(at), c.ring.base)
	g := &c.gates[i]
	if n := len(g.spans); n > 0 && g.spans[n-1].end >= from {
		return
	}
	g.pause(from, spanReasons(reasons), now)
	c.prov[i] = provisional{txn: txn, from: from}
}

// withdraw opens the gate that anticipate shut for transaction txn, as if
// it had never shut, unless a drive of capability k has come since. Audio
// still in the commit delay is written as usual; should the commit have
// passed the shut position already, the segment map keeps that paused
// stretch, as it happened.
func (c *Call) withdraw(k conversation.Capability, txn string) {
	i, err := capIndex(k)
	if err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.prov[i]
	if p.txn == "" || p.txn != txn {
		return
	}
	c.prov[i] = provisional{}
	g := &c.gates[i]
	if n := len(g.spans); n > 0 && g.spans[n-1].start == p.from && g.spans[n-1].end == open {
		g.resume(p.from)
	}
}
