package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"
)

// chain builds an intact chain of n entries and its head.
func chain(n int) ([]Entry, Head) {
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var out []Entry
	prev := Genesis
	for i := 1; i <= n; i++ {
		e := Seal(prev, Entry{
			Seq:            int64(i),
			At:             base.Add(time.Duration(i) * time.Millisecond),
			ConversationID: fmt.Sprintf("c%d", i%3),
			Actor:          "agent:a1",
			Action:         "pause",
			Capability:     "recording",
			Reason:         "hold",
			Outcome:        "ok",
			Detail:         json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)),
		})
		out = append(out, e)
		prev = e.Hash
	}
	h := Head{}
	if n > 0 {
		h = Head{Seq: out[n-1].Seq, Hash: out[n-1].Hash}
	}
	return out, h
}

func seq(entries []Entry) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		for _, e := range entries {
			if !yield(e, nil) {
				return
			}
		}
	}
}

// wantBreak checks that err is a *BreakError at seq whose reason contains
// reason.
func wantBreak(t *testing.T, err error, seq int64, reason string) {
	t.Helper()
	var b *BreakError
	if !errors.As(err, &b) {
		t.Fatalf("got %v, want a *BreakError at entry %d", err, seq)
	}
	if b.Seq != seq || !strings.Contains(b.Reason, reason) {
		t.Fatalf("got break at %d (%q), want %d (%q)", b.Seq, b.Reason, seq, reason)
	}
}

func TestVerifyIntact(t *testing.T) {
	for _, n := range []int{0, 1, 2, 10} {
		entries, head := chain(n)
		if err := Verify(seq(entries), head); err != nil {
			t.Fatalf("chain of %d: %v", n, err)
		}
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(es []Entry, h Head) ([]Entry, Head)
		seq    int64
		reason string
	}{
		{"edit", func(es []Entry, h Head) ([]Entry, Head) {
			es[4].Outcome = "failed"
			return es, h
		}, 5, "hash does not match contents"},
		{"edit detail", func(es []Entry, h Head) ([]Entry, Head) {
			es[2].Detail = json.RawMessage(`{"n": 3}`)
			return es, h
		}, 3, "hash does not match contents"},
		{"edit and reseal", func(es []Entry, h Head) ([]Entry, Head) {
			es[4].Outcome = "failed"
			es[4] = Seal(es[4].PrevHash, es[4])
			return es, h
		}, 6, "previous hash does not match entry 5"},
		{"edit hash", func(es []Entry, h Head) ([]Entry, Head) {
			es[6].Hash = strings.Repeat("0", 64)
			return es, h
		}, 7, "hash does not match contents"},
		{"forged genesis", func(es []Entry, h Head) ([]Entry, Head) {
			es[0] = Seal("x", es[0])
			return es, h
		}, 1, "genesis"},
		{"delete middle", func(es []Entry, h Head) ([]Entry, Head) {
			return slices.Delete(es, 3, 4), h
		}, 4, "missing"},
		{"delete first", func(es []Entry, h Head) ([]Entry, Head) {
			return es[1:], h
		}, 1, "missing"},
		{"delete last", func(es []Entry, h Head) ([]Entry, Head) {
			return es[:len(es)-1], h
		}, 10, "missing"},
		{"delete last three", func(es []Entry, h Head) ([]Entry, Head) {
			return es[:len(es)-3], h
		}, 8, "missing"},
		{"delete all", func(es []Entry, h Head) ([]Entry, Head) {
			return nil, h
		}, 1, "missing"},
		{"insert duplicate", func(es []Entry, h Head) ([]Entry, Head) {
			forged := Seal(es[1].Hash, Entry{Seq: 3, Actor: "mallory", Action: "resume", Outcome: "ok"})
			return slices.Insert(es, 2, forged), h
		}, 3, "out of sequence"},
		{"insert at end", func(es []Entry, h Head) ([]Entry, Head) {
			forged := Seal(es[9].Hash, Entry{Seq: 11, Actor: "mallory", Action: "resume", Outcome: "ok"})
			return append(es, forged), h
		}, 11, "beyond the chain head"},
		{"reorder", func(es []Entry, h Head) ([]Entry, Head) {
			es[1], es[3] = es[3], es[1]
			return es, h
		}, 2, "missing"},
		{"swap seq", func(es []Entry, h Head) ([]Entry, Head) {
			es[1], es[3] = es[3], es[1]
			es[1].Seq, es[3].Seq = 2, 4
			return es, h
		}, 2, "previous hash"},
		{"head hash", func(es []Entry, h Head) ([]Entry, Head) {
			h.Hash = strings.Repeat("f", 64)
			return es, h
		}, 10, "does not match the chain head"},
		{"head ahead", func(es []Entry, h Head) ([]Entry, Head) {
			h.Seq = 12
			return es, h
		}, 11, "missing"},
		{"head behind", func(es []Entry, h Head) ([]Entry, Head) {
			h.Seq = 9
			return es, h
		}, 10, "beyond the chain head"},
		{"empty chain with a head hash", func(es []Entry, h Head) ([]Entry, Head) {
			return nil, Head{Hash: "x"}
		}, 1, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, h := tt.tamper(chain(10))
			wantBreak(t, Verify(seq(es), h), tt.seq, tt.reason)
		})
	}
}

// The hash covers the instant, not how it is written.
func TestVerifyIgnoresTimeZone(t *testing.T) {
	es, h := chain(10)
	es[5].At = es[5].At.In(time.FixedZone("X", 3600))
	if err := Verify(seq(es), h); err != nil {
		t.Fatalf("same instant in another zone: %v", err)
	}
}

func TestVerifyStopsAtFirstBreak(t *testing.T) {
	es, h := chain(10)
	es[2].Outcome = "x"
	read := 0
	entries := func(yield func(Entry, error) bool) {
		for _, e := range es {
			read++
			if !yield(e, nil) {
				return
			}
		}
	}
	wantBreak(t, Verify(entries, h), 3, "hash")
	if read != 3 {
		t.Fatalf("read %d entries, want 3", read)
	}
}

func TestVerifyReadError(t *testing.T) {
	es, h := chain(3)
	boom := errors.New("disk on fire")
	entries := func(yield func(Entry, error) bool) {
		if !yield(es[0], nil) {
			return
		}
		yield(Entry{}, boom)
	}
	err := Verify(entries, h)
	var b *BreakError
	if !errors.Is(err, boom) || errors.As(err, &b) {
		t.Fatalf("got %v, want the read error and no break", err)
	}
}

func TestBreakErrorText(t *testing.T) {
	err := &BreakError{Seq: 42, Reason: "hash does not match contents"}
	if got, want := err.Error(), "audit chain broken at entry 42: hash does not match contents"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
