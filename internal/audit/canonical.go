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
	fields := make([]string, 0, 12)
	fields = append(fields, canonicalTag, strconv.FormatInt(e.Seq, 10))
	fields = append(fields, bodyFields(e)...)
	fields = append(fields, e.PrevHash)
	if e.ActorName != "" {
		fields = append(fields, e.ActorName)
	}
	n := 0
	for _, f := range fields {
		n += len(f) + 22
	}
	return appendNetstrings(make([]byte, 0, n), fields...)
}

// bodyFields are the fields Canonical encodes between Seq and PrevHash.
func bodyFields(e Entry) []string {
	return []string{
		e.At.UTC().Format(time.RFC3339Nano),
		e.ConversationID,
		e.Actor,
		e.Action,
		e.Capability,
		e.Reason,
		e.Outcome,
		string(e.Detail),
	}
}

// appendNetstrings appends each field as "<decimal length>:<bytes>,".
func appendNetstrings(b []byte, fields ...string) []byte {
	for _, f := range fields {
		b = strconv.AppendInt(b, int64(len(f)), 10)
		b = append(b, ':')
		b = append(b, f...)
		b = append(b, ',')
	}
	return b
}
