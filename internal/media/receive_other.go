//go:build !linux

package media

import (
	"errors"
	"net/netip"
	"time"
)

// receivers has no batch receive here: each listener serves itself.
type receivers struct{}

func newReceivers() *receivers { return &receivers{} }

func (*receivers) add(*Listener, func(b []byte, from netip.AddrPort, at time.Time)) error {
	return errors.New("media: no batch receive on this platform")
}
