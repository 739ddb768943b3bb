package media

// Sequence tracking follows RFC 3550 appendix A.1: sequence numbers are
// extended past their 16-bit wraparound, a large jump is only believed once
// the packet after it confirms it, and a short history remembers which
// packets arrived so duplicates are dropped and late packets are not.
const (
	seqHistory  = 512  // packets remembered: 10 s at 20 ms, beyond any commit delay
	maxDropout  = 3000 // forward jump still treated as the same sequence
	maxMisorder = 500  // backward distance still treated as a late packet
)

// seqVerdict says what to do with a packet.
type seqVerdict uint8

const (
	seqAccept    seqVerdict = iota // new packet
	seqDuplicate                   // already seen
	seqTooLate                     // older than the history
	seqProbation                   // a jump not yet confirmed
)

// seqTracker extends and deduplicates the sequence numbers of one source.
type seqTracker struct {
	started  bool  // a run of sequence numbers is under way
	spanned  int64 // packets spanned by earlier runs
	highest  int64 // extended sequence number of the newest packet
	first    int64
	probe    uint16 // the sequence number that would confirm a jump
	probing  bool
	seen     [seqHistory]uint32 // extended number + 1 per slot (mod 2^32); 0 is empty
	received int64
}

// accept classifies seq and returns its extended number and whether it is
// the newest packet so far.
func (t *seqTracker) accept(seq uint16) (ext int64, newest bool, v seqVerdict) {
	if !t.started {
		t.restart(seq)
		return t.highest, true, seqAccept
	}
	delta := int64(int16(seq - uint16(t.highest)))
	if delta > maxDropout || delta < -maxMisorder {
		if t.probing && seq == t.probe {
			t.restart(seq)
			return t.highest, true, seqAccept
		}
		t.probing, t.probe = true, seq+1
		return 0, false, seqProbation
	}
	t.probing = false
	ext = t.highest + delta
	if ext <= t.highest-seqHistory {
		return ext, false, seqTooLate
	}
	slot := &t.seen[uint64(ext)%seqHistory]
	if *slot == uint32(ext+1) {
		return ext, false, seqDuplicate
	}
	*slot = uint32(ext + 1)
	t.received++
	if ext < t.first {
		t.first = ext
	}
	if ext > t.highest {
		t.highest = ext
		return ext, true, seqAccept
	}
	return ext, false, seqAccept
}

func (t *seqTracker) restart(seq uint16) {
	t.spanned = t.expected()
	t.started, t.probing = true, false
	t.seen = [seqHistory]uint32{}
	t.highest, t.first = int64(seq), int64(seq)
	t.seen[uint64(seq)%seqHistory] = uint32(seq) + 1
	t.received++
}

// expected returns how many packets the sequence numbers span so far.
func (t *seqTracker) expected() int64 {
	if !t.started {
		return t.spanned
	}
	return t.spanned + t.highest - t.first + 1
}

// lost returns how many packets were expected but never arrived.
func (t *seqTracker) lost() int64 { return max(0, t.expected()-t.received) }
