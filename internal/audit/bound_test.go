package audit

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"pgregory.net/rapid"
)

// Whatever a caller sends, a sealed entry stays within the limits, keeps
// valid UTF-8 valid, says how much was cut, and still verifies.
func TestSealBoundsEveryField(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		long := func(name string) string {
			return strings.Repeat(rapid.StringN(1, 4, -1).Draw(t, name), rapid.IntRange(0, 3000).Draw(t, name+"-n"))
		}
		detail, _ := json.Marshal(map[string]string{"x": long("detail")})
		e := Entry{Seq: 1, ConversationID: long("conv"), Actor: long("actor"), ActorName: long("name"),
			Action: long("action"), Capability: long("cap"), Reason: long("reason"), Outcome: long("outcome"), Detail: detail}
		s := Seal(Genesis, e)
		for _, f := range []struct {
			in, out string
			limit   int
		}{
			{e.ConversationID, s.ConversationID, MaxIDBytes}, {e.Actor, s.Actor, MaxIDBytes},
			{e.ActorName, s.ActorName, MaxIDBytes}, {e.Action, s.Action, MaxIDBytes},
			{e.Capability, s.Capability, MaxIDBytes}, {e.Reason, s.Reason, MaxTextBytes},
			{e.Outcome, s.Outcome, MaxTextBytes},
		} {
			if len(f.out) > f.limit {
				t.Fatalf("field of %d bytes kept %d, limit %d", len(f.in), len(f.out), f.limit)
			}
			if len(f.in) <= f.limit && f.out != f.in {
				t.Fatalf("field within its limit changed: %q -> %q", f.in, f.out)
			}
			if len(f.in) > f.limit && !strings.HasSuffix(f.out, " bytes)") {
				t.Fatalf("cut field does not say so: %q", f.out)
			}
			if utf8.ValidString(f.in) && !utf8.ValidString(f.out) {
				t.Fatalf("cut made invalid UTF-8: %q", f.out)
			}
		}
		if len(s.Detail) > MaxDetailBytes || !json.Valid(s.Detail) {
			t.Fatalf("detail of %d bytes sealed as %d bytes, valid JSON %v", len(detail), len(s.Detail), json.Valid(s.Detail))
		}
		if err := Verify(seq([]Entry{s}), Head{Seq: 1, Hash: s.Hash}); err != nil {
			t.Fatal(err)
		}
	})
}

// An entry without ActorName encodes as before the field existed (eleven
// netstrings), so chains written earlier still verify.
func TestCanonicalWithoutActorNameUnchanged(t *testing.T) {
	e := Entry{Seq: 1, Actor: "admin:k1", Action: "key.create", Outcome: "applied"}
	fields, err := parseCanonical(Canonical(e))
	if err != nil || len(fields) != 11 {
		t.Fatalf("entry without a name encodes %d fields (%v), want 11", len(fields), err)
	}
	e.ActorName = "Alice Smith"
	fields, err = parseCanonical(Canonical(e))
	if err != nil || len(fields) != 12 || fields[11] != "Alice Smith" {
		t.Fatalf("entry with a name encodes %q (%v)", fields, err)
	}
}
