package audit

import (
	"encoding/json"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// An entry sealed from its prepared form carries the hash Verify expects:
// the SHA-256 of the previous hash and its whole canonical encoding.
func TestPreparedSealMatchesCanonical(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		text := func(name string, maxLen int) string {
			return rapid.StringOfN(rapid.Rune(), 0, maxLen, -1).Draw(rt, name)
		}
		e := Entry{
			At:             time.Unix(0, rapid.Int64().Draw(rt, "at")).In(time.FixedZone("z", rapid.IntRange(-50000, 50000).Draw(rt, "zone"))),
			ConversationID: text("conversation", MaxIDBytes+20),
			Actor:          text("actor", 20),
			ActorName:      text("actorName", 20),
			Action:         text("action", 20),
			Capability:     text("capability", 20),
			Reason:         text("reason", 40),
			Outcome:        text("outcome", 40),
		}
		if rapid.Bool().Draw(rt, "detail") {
			e.Detail = json.RawMessage(rapid.SliceOfN(rapid.Byte(), 0, MaxDetailBytes+50).Draw(rt, "bytes"))
		}
		seq := rapid.Int64Range(1, 1<<50).Draw(rt, "seq")
		prev := text("prev", 70)
		got := Prepare(e).Seal(seq, prev)
		if got.Seq != seq || got.PrevHash != prev || got.Hash != hashOf(got) {
			rt.Fatalf("sealed %+v: hash %s, want %s", got, got.Hash, hashOf(got))
		}
		want := Bound(e)
		want.Seq, want.PrevHash, want.Hash = seq, prev, got.Hash
		if got.Reason != want.Reason || got.ConversationID != want.ConversationID || string(got.Detail) != string(want.Detail) {
			rt.Fatalf("sealed entry not bounded: %+v", got)
		}
	})
}
