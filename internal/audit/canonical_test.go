package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// parseCanonical decodes a canonical encoding back into its fields, to show
// the encoding loses nothing.
func parseCanonical(b []byte) ([]string, error) {
	var out []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, ':')
		if i < 0 {
			return nil, errors.New("no length")
		}
		n, err := strconv.Atoi(string(b[:i]))
		if err != nil || n < 0 || len(b) < i+1+n+1 || b[i+1+n] != ',' {
			return nil, errors.New("bad netstring")
		}
		out = append(out, string(b[i+1:i+1+n]))
		b = b[i+1+n+1:]
	}
	return out, nil
}

func TestCanonicalIsUnambiguous(t *testing.T) {
	a := Entry{Seq: 1, Actor: "ab", Action: "c", Outcome: "ok"}
	b := Entry{Seq: 1, Actor: "a", Action: "bc", Outcome: "ok"}
	if bytes.Equal(Canonical(a), Canonical(b)) {
		t.Fatal("moving a byte between fields left the encoding unchanged")
	}
	c := Entry{Seq: 1, Detail: json.RawMessage("\xff")}
	d := Entry{Seq: 1, Detail: json.RawMessage("\xfe")}
	if bytes.Equal(Canonical(c), Canonical(d)) {
		t.Fatal("different invalid UTF-8 details encode alike")
	}
}

func TestCanonicalIgnoresHashAndZone(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	e := Entry{Seq: 7, At: at, Actor: "x", Hash: "h1"}
	f := e
	f.Hash = "h2"
	f.At = at.In(time.FixedZone("Y", -7200))
	if !bytes.Equal(Canonical(e), Canonical(f)) {
		t.Fatal("Hash or time zone changed the canonical encoding")
	}
	fields, err := parseCanonical(Canonical(e))
	if err != nil {
		t.Fatal(err)
	}
	if fields[2] != "2026-01-02T03:04:05.000000006Z" {
		t.Fatalf("time encoded as %q", fields[2])
	}
}

// A change to any one field of any entry of a chain is found at that entry.
func TestVerifyFindsAnyFieldChange(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 8).Draw(t, "n")
		es, head := chain(n)
		i := rapid.IntRange(0, n-1).Draw(t, "entry")
		field := rapid.IntRange(0, 9).Draw(t, "field")
		s := rapid.StringN(1, 8, -1).Draw(t, "text")
		e := &es[i]
		switch field {
		case 0:
			e.At = e.At.Add(time.Duration(rapid.Int64Range(1, 1e12).Draw(t, "shift")))
		case 1:
			e.ConversationID += s
		case 2:
			e.Actor += s
		case 3:
			e.Action += s
		case 4:
			e.Capability += s
		case 5:
			e.Reason += s
		case 6:
			e.Outcome += s
		case 7:
			e.Detail = append(append(json.RawMessage{}, e.Detail...), s...)
		case 8:
			e.Hash += s
		case 9:
			e.ActorName += s
		}
		var b *BreakError
		if err := Verify(seq(es), head); !errors.As(err, &b) || b.Seq != int64(i+1) {
			t.Fatalf("changed field %d of entry %d: got %v", field, i+1, err)
		}
	})
}

func FuzzCanonical(f *testing.F) {
	f.Add(int64(1), int64(0), "c1", "agent:a", "pause", "recording", "hold", "ok", []byte(`{"a":1}`), "")
	f.Fuzz(func(t *testing.T, seq, nanos int64, conv, actor, action, capability, reason, outcome string, detail []byte, prev string) {
		e := Entry{Seq: seq, At: time.Unix(0, nanos), ConversationID: conv, Actor: actor, Action: action,
			Capability: capability, Reason: reason, Outcome: outcome, Detail: detail, PrevHash: prev}
		c := Canonical(e)
		if !bytes.Equal(c, Canonical(e)) {
			t.Fatal("Canonical is not deterministic")
		}
		fields, err := parseCanonical(c)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{canonicalTag, strconv.FormatInt(seq, 10), e.At.UTC().Format(time.RFC3339Nano),
			conv, actor, action, capability, reason, outcome, string(detail), prev}
		if len(fields) != len(want) {
			t.Fatalf("decoded %d fields, want %d", len(fields), len(want))
		}
		for i := range want {
			if fields[i] != want[i] {
				t.Fatalf("field %d decoded as %q, want %q", i, fields[i], want[i])
			}
		}
		s1, s2 := Seal(prev, e), Seal(prev, e)
		if s1.Hash != s2.Hash || len(s1.Hash) != 64 {
			t.Fatalf("Seal gave %q then %q", s1.Hash, s2.Hash)
		}
		if seq == 1 {
			s := Seal(Genesis, e)
			if err := Verify(func(yield func(Entry, error) bool) { yield(s, nil) }, Head{Seq: 1, Hash: s.Hash}); err != nil {
				t.Fatalf("single sealed entry: %v", err)
			}
		}
	})
}
