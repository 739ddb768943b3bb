package siprec

import (
	"log/slog"
	"net/netip"
	"sync"

	"github.com/emiago/sipgo/sip"
)

// maxLenientSources bounds the sources remembered as already logged: past
// it, the memory is cleared rather than grown.
const maxLenientSources = 1024

// lenientLog remembers the sources already logged as opening sessions
// without the SIPREC markers, so each is logged once.
type lenientLog struct {
	mu   sync.Mutex
	seen map[netip.Addr]bool
}

// note logs, once per source address, that src opened a recording session
// known only by its metadata.
func (l *lenientLog) note(log *slog.Logger, req *sip.Request) {
	src, _ := sourceAddr(req)
	l.mu.Lock()
	if l.seen == nil || len(l.seen) >= maxLenientSources {
		l.seen = map[netip.Addr]bool{}
	}
	first := !l.seen[src.Addr()]
	l.seen[src.Addr()] = true
	l.mu.Unlock()
	if first {
		log.Warn("recording session without Require: siprec or +sip.src, accepted for its recording metadata (--siprec-strict refuses these)",
			"source", src.Addr().String())
	}
}
