package audit

import (
	"strconv"
	"time"
)

// canonicalTag starts every canonical encoding, so a future change of the
// format can never produce the bytes of an older one.
const canonicalTag = "hush-audit-v1"

// Canonical returns the bytes an entry's hash covers: every field but Hash,
// in a fixed order, each written as a netstring ("<decimal length>:<bytes>,")
// after the netstring of the format tag. Length prefixes make the encoding
// unambiguous for any bytes, including invalid UTF-8, which a JSON string
// would silently replace. At is written in UTC as RFC 3339 with nanoseconds,
// so only the instant counts, not the time zone or the monotonic reading.
// Detail is written as its exact bytes: a nil and an empty Detail encode
// alike. ActorName, when set, is a twelfth netstring after PrevHash; an
// entry without one encodes exactly as before the field existed, so chains
// written earlier still verify.
func Canonical(e Entry) []byte {
	seq := strconv.FormatInt(e.Seq, 10)
	b := make([]byte, 0, netstringLen(canonicalTag)+netstringLen(seq)+bodyLen(e)+netstringLen(e.PrevHash)+netstringLen(e.ActorName))
	b = appendNetstrings(b, canonicalTag, seq)
	b = appendBody(b, e)
	b = appendNetstrings(b, e.PrevHash)
	if e.ActorName != "" {
		b = appendNetstrings(b, e.ActorName)
	}
	return b
}

// rfc3339NanoLen is the longest At as Canonical writes it, in UTC, for the
// years 0 to 9999.
const rfc3339NanoLen = len("2006-01-02T15:04:05.999999999Z")

// appendBody appends the fields Canonical encodes between Seq and PrevHash.
func appendBody(b []byte, e Entry) []byte {
	var at [rfc3339NanoLen + 8]byte
	b = appendNetstring(b, e.At.UTC().AppendFormat(at[:0], time.RFC3339Nano))
	b = appendNetstrings(b, e.ConversationID, e.Actor, e.Action, e.Capability, e.Reason, e.Outcome)
	return appendNetstring(b, e.Detail)
}

// bodyLen is room for appendBody's encoding (for any year up to 9999).
func bodyLen(e Entry) int {
	n := netstringLen(e.Detail) + rfc3339NanoLen + 22
	for _, f := range [...]string{e.ConversationID, e.Actor, e.Action, e.Capability, e.Reason, e.Outcome} {
		n += netstringLen(f)
	}
	return n
}

// netstringLen bounds the length of f's netstring from above: its bytes,
// a length of at most 20 digits, ':' and ','.
func netstringLen[T ~string | ~[]byte](f T) int { return len(f) + 22 }

// appendNetstrings appends each field as "<decimal length>:<bytes>,".
func appendNetstrings(b []byte, fields ...string) []byte {
	for _, f := range fields {
		b = appendNetstring(b, f)
	}
	return b
}

func appendNetstring[T ~string | ~[]byte](b []byte, f T) []byte {
	b = strconv.AppendInt(b, int64(len(f)), 10)
	b = append(b, ':')
	b = append(b, f...)
	return append(b, ',')
}
