package siprec

import (
	"net/netip"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// ParseAllow parses a comma-separated list of CIDR prefixes or bare
// addresses: the sources that may open recording sessions.
func ParseAllow(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, malformed("allow list entry %q: want an address or a CIDR prefix", f)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, malformed("allow list entry %q: want an address or a CIDR prefix", f)
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			// Sources are compared unmapped.
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// sourceAddr parses a request's transport source, host:port.
func sourceAddr(req *sip.Request) (netip.AddrPort, bool) {
	ap, err := netip.ParseAddrPort(req.Source())
	if err != nil {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), true
}

// listed reports whether src falls in the allow list.
func (s *Server) listed(src netip.AddrPort) bool {
	for _, p := range s.cfg.Allow {
		if p.Contains(src.Addr()) {
			return true
		}
	}
	return false
}

// mayOpen reports whether the request's source may open a recording
// session: any source when no allow list is set, else a listed one.
func (s *Server) mayOpen(req *sip.Request) bool {
	if len(s.cfg.Allow) == 0 {
		return true
	}
	src, ok := sourceAddr(req)
	return ok && s.listed(src)
}

// fromPeer reports whether an in-dialog request comes from the socket the
// dialog's INVITE came from or, when an allow list is set, from a listed
// SBC (SBCs may send in-dialog requests from another node of a cluster).
func (s *Server) fromPeer(req *sip.Request, d *dialog) bool {
	src, ok := sourceAddr(req)
	if !ok {
		return false
	}
	if src == d.peer && req.Transport() == d.transport {
		return true
	}
	return len(s.cfg.Allow) > 0 && s.listed(src)
}

// tagsMatch reports whether an in-dialog request carries the dialog's
// tags: the recorder's as To-tag and the client's as From-tag.
func tagsMatch(req *sip.Request, d *dialog) bool {
	to, from := req.To(), req.From()
	if to == nil || from == nil || to.Params == nil || from.Params == nil {
		return false
	}
	lt, _ := to.Params.Get("tag")
	rt, _ := from.Params.Get("tag")
	return lt == d.localTag && rt == d.remoteTag
}
