package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// Limits bound every text field of an entry, in bytes, so that no caller,
// however long the path or reason it sends, can make one entry large. The
// chain is append-only and never pruned: an unbounded field would be a way
// to grow it without end.
const (
	MaxIDBytes     = 256   // ConversationID, Actor, ActorName, Action, Capability
	MaxTextBytes   = 1024  // Reason, Outcome
	MaxDetailBytes = 16384 // Detail
)

// Bound returns e with every text field cut to its limit. A cut field ends
// with "…(+N bytes)" so a reader sees that it was cut and by how much; a
// Detail too large is replaced by a JSON object giving its size and
// SHA-256, since half a JSON document is not JSON.
func Bound(e Entry) Entry {
	e.ConversationID = clip(e.ConversationID, MaxIDBytes)
	e.Actor = clip(e.Actor, MaxIDBytes)
	e.ActorName = clip(e.ActorName, MaxIDBytes)
	e.Action = clip(e.Action, MaxIDBytes)
	e.Capability = clip(e.Capability, MaxIDBytes)
	e.Reason = clip(e.Reason, MaxTextBytes)
	e.Outcome = clip(e.Outcome, MaxTextBytes)
	if len(e.Detail) > MaxDetailBytes {
		sum := sha256.Sum256(e.Detail)
		e.Detail, _ = json.Marshal(map[string]any{
			"truncated": true, "bytes": len(e.Detail), "sha256": hex.EncodeToString(sum[:]),
		})
	}
	return e
}

// clip cuts s to at most limit bytes on a rune boundary, marking the cut.
func clip(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	// The mark takes room too: "…(+" and " bytes)" are 12 bytes, and the
	// count has no more digits than len(s).
	keep := max(limit-12-len(strconv.Itoa(len(s))), 0)
	for keep > 0 && !utf8.RuneStart(s[keep]) {
		keep--
	}
	return s[:keep] + "…(+" + strconv.Itoa(len(s)-keep) + " bytes)"
}
