package detect

import (
	"errors"
	"fmt"
)

// TelephoneEvent is one RFC 4733 named-event payload (section 2.3).
type TelephoneEvent struct {
	Event    uint8 // 0-9 digits, 10 '*', 11 '#', 12-15 'A'-'D'
	End      bool
	Volume   uint8  // -dBm0, 0-63
	Duration uint16 // in timestamp units since the event began
}

// ErrNotDigit reports a named event that is no DTMF key (flash, tones).
var ErrNotDigit = errors.New("telephone event is not a DTMF key")

// ParseTelephoneEvent decodes an RFC 4733 payload. Redundant events packed
// after the first (RFC 4733 section 2.5.1.5 allows it in RFC 2198 blocks)
// are not part of this payload type and are refused by length.
func ParseTelephoneEvent(p []byte) (TelephoneEvent, error) {
	if len(p) != 4 {
		return TelephoneEvent{}, fmt.Errorf("telephone event of %d bytes, want 4", len(p))
	}
	return TelephoneEvent{
		Event:    p[0],
		End:      p[1]&0x80 != 0,
		Volume:   p[1] & 0x3f,
		Duration: uint16(p[2])<<8 | uint16(p[3]),
	}, nil
}

// Symbol returns the key an event names.
func (e TelephoneEvent) Symbol() (byte, error) {
	const keys = "0123456789*#ABCD"
	if int(e.Event) >= len(keys) {
		return 0, ErrNotDigit
	}
	return keys[e.Event], nil
}

// Events turns the telephone-event packets of one stream into digits. An
// event is identified by its RTP timestamp, which stays the same in every
// packet of the event (updates and the repeated end packets), so each key
// press is reported once however many packets carry it.
type Events struct {
	cur   uint32
	have  bool
	ended bool
}

// EventDigit is what Events reports for a packet.
type EventDigit struct {
	Symbol byte
	// New is true for the first packet of an event: the digit to count.
	New bool
	// End is true for the first end packet: the digit's span is complete.
	End bool
	// StartTS is the event's RTP timestamp; Duration its length so far in
	// timestamp units.
	StartTS  uint32
	Duration uint16
}

// Feed reads one telephone-event packet with RTP timestamp ts. It reports
// ok false for a packet that adds nothing (a repeat, an old event).
func (s *Events) Feed(ts uint32, payload []byte) (EventDigit, bool, error) {
	ev, err := ParseTelephoneEvent(payload)
	if err != nil {
		return EventDigit{}, false, err
	}
	sym, err := ev.Symbol()
	if err != nil {
		return EventDigit{}, false, err
	}
	d := EventDigit{Symbol: sym, StartTS: ts, Duration: ev.Duration}
	switch {
	case !s.have || ts != s.cur && int32(ts-s.cur) > 0:
		s.cur, s.have, s.ended = ts, true, false
		d.New = true
	case ts != s.cur:
		return EventDigit{}, false, nil // an event older than the current one
	case s.ended:
		return EventDigit{}, false, nil // a repeated end packet
	}
	if ev.End {
		s.ended = true
		d.End = true
	}
	return d, d.New || d.End || ev.Duration > 0, nil
}
