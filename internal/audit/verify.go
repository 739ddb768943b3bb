package audit

import (
	"errors"
	"fmt"
	"iter"
)

// Head is the end of the chain as the store last recorded it: the Seq and
// Hash of the newest entry, or zero values for an empty chain. Keeping it
// apart from the entries is what catches a chain cut short at its end.
type Head struct {
	Seq  int64
	Hash string
}

// BreakError reports the first entry at which a chain fails verification.
type BreakError struct {
	// Seq is the position of the first bad entry: the entry that was
	// changed, the first one missing, or the first one out of place.
	Seq    int64
	Reason string
}

// Error names the entry and what is wrong with it.
func (e *BreakError) Error() string {
	return fmt.Sprintf("audit chain broken at entry %d: %s", e.Seq, e.Reason)
}

func broken(seq int64, format string, args ...any) *BreakError {
	return &BreakError{Seq: seq, Reason: fmt.Sprintf(format, args...)}
}

// Verify walks entries, which must come in storage order by Seq, and checks
// that Seq runs from 1 without gaps, that each PrevHash is the previous
// entry's Hash (Genesis for the first), that each Hash recomputes from the
// entry's contents, and that the chain ends exactly at head. It returns a
// *BreakError naming the first bad entry, or the error entries yielded,
// wrapped, if reading them failed. A reader that finds an entry too damaged
// to decode yields a *BreakError for it, which Verify returns as it is. It
// stops reading at the first break.
//
// A chain is evidence of tampering, not proof against it: whoever can
// rewrite every entry from some point on and the head can forge a chain
// that verifies. Anchoring the head elsewhere closes that gap.
func Verify(entries iter.Seq2[Entry, error], head Head) error {
	want := int64(1)
	prev := Genesis
	for e, err := range entries {
		var b *BreakError
		if errors.As(err, &b) {
			return b
		}
		if err != nil {
			return fmt.Errorf("read audit entry %d: %w", want, err)
		}
		if b := check(e, want, prev, head); b != nil {
			return b
		}
		prev = e.Hash
		want++
	}
	last := want - 1
	switch {
	case last < head.Seq:
		return broken(want, "entry is missing: the chain ends at entry %d but its head is entry %d", last, head.Seq)
	case last > 0 && prev != head.Hash:
		return broken(last, "last entry does not match the chain head")
	case last == 0 && head.Hash != Genesis:
		return broken(1, "the chain is empty but its head names a hash")
	}
	return nil
}

// check verifies one entry expected at position want after the hash prev.
func check(e Entry, want int64, prev string, head Head) *BreakError {
	switch {
	case e.Seq > want:
		return broken(want, "entry is missing (the next entry is %d)", e.Seq)
	case e.Seq < want:
		return broken(e.Seq, "entry is out of sequence (expected entry %d)", want)
	case e.Seq > head.Seq:
		return broken(e.Seq, "entry is beyond the chain head (entry %d)", head.Seq)
	case e.PrevHash != prev && e.Seq == 1:
		return broken(e.Seq, "previous hash is not the genesis value")
	case e.PrevHash != prev:
		return broken(e.Seq, "previous hash does not match entry %d", e.Seq-1)
	case e.Hash != hashOf(e):
		return broken(e.Seq, "hash does not match contents")
	}
	return nil
}
