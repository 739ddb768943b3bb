package media

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/pion/rtp"
	"pgregory.net/rapid"
)

// arrival is one packet of a test call: which side, which packet, and
// when it arrives.
type arrival struct {
	ch  Channel
	i   int
	at  time.Time
	pkt *rtp.Packet
}

// recordArrivals records a call from the given arrivals, which must be in
// arrival order, and returns the WAV file's bytes. The call lasts 2 s, or
// until 20 ms after the last arrival if that is later.
func recordArrivals(t *testing.T, dir string, arrivals []arrival) []byte {
	t.Helper()
	clock := &fakeClock{t: t0}
	r, err := NewRecorder(Config{Dir: dir, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	call, err := r.Open(context.Background(), "c", CallOptions{Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range arrivals {
		clock.Set(a.at)
		pkt := a.pkt
		if pkt == nil {
			pkt = []sender{callerTone, agentTone}[a.ch].packet(a.i)
		}
		call.Push(a.ch, pkt, a.at)
		if err := call.Advance(context.Background(), a.at); err != nil {
			t.Fatal(err)
		}
	}
	end := at(2 * time.Second)
	if n := len(arrivals); n > 0 && arrivals[n-1].at.Add(FrameDuration).After(end) {
		end = arrivals[n-1].at.Add(FrameDuration)
	}
	clock.Set(end)
	if err := r.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(dir + "/c.wav")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func inOrder(n int) []arrival {
	var out []arrival
	for i := range n {
		for _, ch := range []Channel{Caller, Agent} {
			out = append(out, arrival{ch: ch, i: i, at: at(time.Duration(i) * FrameDuration)})
		}
	}
	return out
}

// TestReorderedAndDuplicatedPackets checks that packets arriving out of
// order, twice, and across sequence and timestamp wraparound make the same
// recording as the same packets in order.
func TestReorderedAndDuplicatedPackets(t *testing.T) {
	const n = 50
	want := recordArrivals(t, t.TempDir(), inOrder(n))
	_, left, _ := readWAVBytes(t, want)
	if rms(left, 10) < 1000 {
		t.Fatal("reference recording is silent")
	}
	rapid.Check(t, func(rt *rapid.T) {
		// The first packet of each side anchors its timeline, so it comes
		// first; the rest move up to 8 packets (160 ms) later and some come
		// twice.
		base := inOrder(n)
		moved := base[:2:2]
		rest := base[2:]
		delays := rapid.SliceOfN(rapid.IntRange(0, 8), len(rest), len(rest)).Draw(rt, "delays")
		dups := rapid.SliceOfN(rapid.Bool(), len(rest), len(rest)).Draw(rt, "dups")
		type keyed struct {
			a   arrival
			key int
		}
		var ks []keyed
		for j, a := range rest {
			k := a.i + delays[j]
			ks = append(ks, keyed{a, k})
			if dups[j] {
				ks = append(ks, keyed{a, k + 1})
			}
		}
		// Stable sort by arrival slot; the arrival time is the slot's.
		for i := 1; i < len(ks); i++ {
			for j := i; j > 0 && ks[j].key < ks[j-1].key; j-- {
				ks[j], ks[j-1] = ks[j-1], ks[j]
			}
		}
		for _, k := range ks {
			k.a.at = at(time.Duration(k.key) * FrameDuration)
			moved = append(moved, k.a)
		}
		got := recordArrivals(t, t.TempDir(), moved)
		if !bytes.Equal(got, want) {
			rt.Fatalf("reordered recording differs from the in-order one")
		}
	})
}

func TestLostPacketIsSilenceInPlace(t *testing.T) {
	all := inOrder(50)
	var lossy []arrival
	for _, a := range all {
		if a.ch == Caller && a.i == 20 {
			continue
		}
		lossy = append(lossy, a)
	}
	_, left, right := readWAVBytes(t, recordArrivals(t, t.TempDir(), lossy))
	if !silent(left[20*FrameSamples : 21*FrameSamples]) {
		t.Fatal("lost packet's slot is not silence")
	}
	checkExact(t, left, right, 0, 0, 20*FrameSamples)
	checkExact(t, left, right, 21*FrameSamples, 21*FrameSamples, 50*FrameSamples)
}

func TestTelephoneEventsAddNoAudio(t *testing.T) {
	all := inOrder(50)
	// A DTMF event replaces caller packets 20-24, in their sequence slots.
	for j, a := range all {
		if a.ch == Caller && a.i >= 20 && a.i < 25 {
			p := callerTone.packet(a.i)
			p.PayloadType = 101
			p.Timestamp = callerTone.ts0 + 20*FrameSamples
			p.Payload = []byte{5, 0x0a, 0, 160}
			all[j].pkt = p
		}
	}
	_, left, right := readWAVBytes(t, recordArrivals(t, t.TempDir(), all))
	if !silent(left[20*FrameSamples : 25*FrameSamples]) {
		t.Fatal("telephone events became audio")
	}
	checkExact(t, left, right, 25*FrameSamples, 25*FrameSamples, 50*FrameSamples)
}

func TestNewSourceReanchors(t *testing.T) {
	arr := inOrder(50)
	// From packet 25 the caller's SBC restarts the stream: new SSRC,
	// sequence and timestamps. Its audio must stay where it arrives.
	restarted := sender{freq: callerTone.freq, ssrc: 0x9999, seq0: 1, ts0: 77}
	for j, a := range arr {
		if a.ch == Caller && a.i >= 25 {
			p := restarted.packet(a.i)
			arr[j].pkt = p
		}
	}
	_, left, right := readWAVBytes(t, recordArrivals(t, t.TempDir(), arr))
	checkExact(t, left, right, 0, 0, 50*FrameSamples)
}

func readWAVBytes(t *testing.T, b []byte) (WAVInfo, []int16, []int16) {
	t.Helper()
	path := t.TempDir() + "/x.wav"
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return readWAV(t, path)
}

func TestSeqTracker(t *testing.T) {
	var tr seqTracker
	steps := []struct {
		seq    uint16
		ext    int64
		newest bool
		v      seqVerdict
	}{
		{65534, 65534, true, seqAccept},
		{65535, 65535, true, seqAccept},
		{1, 65537, true, seqAccept}, // wrapped; 0 missing
		{65535, 65535, false, seqDuplicate},
		{0, 65536, false, seqAccept}, // late, in time
		{0, 65536, false, seqDuplicate},
		{20000, 0, false, seqProbation}, // a jump, not yet believed
		{2, 65538, true, seqAccept},
		{30000, 0, false, seqProbation},
		{30001, 30001, true, seqAccept}, // confirmed: a new run
	}
	for i, s := range steps {
		ext, newest, v := tr.accept(s.seq)
		if v != s.v || v != seqProbation && (ext != s.ext || newest != s.newest) {
			t.Fatalf("step %d seq %d: got (%d, %v, %d), want (%d, %v, %d)", i, s.seq, ext, newest, v, s.ext, s.newest, s.v)
		}
	}
	if tr.received != 6 || tr.lost() != 0 {
		t.Fatalf("received %d lost %d", tr.received, tr.lost())
	}
}

func TestSeqTrackerAcceptsEachPacketOnce(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		start := rapid.Uint16().Draw(rt, "start")
		n := rapid.IntRange(1, 400).Draw(rt, "n")
		order := rapid.Permutation(rapid.SliceOfN(rapid.IntRange(0, n-1), 0, 2*n).Draw(rt, "extra")).Draw(rt, "order")
		var tr seqTracker
		tr.accept(start)
		seen := map[int64]bool{0: true}
		for _, k := range order {
			if k == 0 {
				continue
			}
			ext, _, v := tr.accept(start + uint16(k))
			if v == seqProbation || v == seqTooLate {
				rt.Fatalf("packet %d of %d rejected as %d", k, n, v)
			}
			rel := ext - int64(start)
			if rel != int64(k) {
				rt.Fatalf("packet %d extended to %d", k, rel)
			}
			if (v == seqAccept) == seen[rel] {
				rt.Fatalf("packet %d: verdict %d, seen before %v", k, v, seen[rel])
			}
			seen[rel] = true
		}
	})
}

// TestTimestampJumpReanchors covers a source that goes quiet for 2 s (a
// hold, an inactive stream) and comes back with timestamps carrying on as
// if no time had passed: its audio belongs where it arrives, not back over
// the audio before the silence.
func TestTimestampJumpReanchors(t *testing.T) {
	var arr []arrival
	for i := range 150 {
		now := at(time.Duration(i) * FrameDuration)
		arr = append(arr, arrival{ch: Agent, i: i, at: now})
		switch {
		case i < 25:
			arr = append(arr, arrival{ch: Caller, i: i, at: now})
		case i >= 125:
			arr = append(arr, arrival{ch: Caller, i: i - 100, at: now})
		}
	}
	_, left, _ := readWAVBytes(t, recordArrivals(t, t.TempDir(), arr))
	for i := range 150 {
		quiet := i >= 25 && i < 125
		if quiet != silent(left[i*FrameSamples:(i+1)*FrameSamples]) {
			t.Fatalf("caller frame %d: silent=%v, want %v", i, !quiet, quiet)
		}
	}
	want := callerTone.expected(25*FrameSamples, 50*FrameSamples)
	for k, v := range want {
		if left[125*FrameSamples+k] != v {
			t.Fatalf("sample %d after the jump: %d, want %d", 125*FrameSamples+k, left[125*FrameSamples+k], v)
		}
	}
}

// TestSSRCChangeKeepsTheAudio: the accepted peer re-anchors its media (a
// new SSRC, sequence and timestamps), a straggler of the old SSRC arrives
// after the change, and later the old SSRC comes back. None of it may cost
// genuine audio.
func TestSSRCChangeKeepsTheAudio(t *testing.T) {
	arr := inOrder(75)
	reanchored := sender{freq: callerTone.freq, ssrc: 0x9999, seq0: 1, ts0: 77}
	var out []arrival
	var straggler arrival
	for _, a := range arr {
		if a.ch == Caller && a.i == 24 {
			straggler = a // arrives after the first packet of the new SSRC
			continue
		}
		if a.ch == Caller && a.i >= 25 && a.i < 50 {
			a.pkt = reanchored.packet(a.i)
		}
		out = append(out, a)
		if a.ch == Caller && a.i == 25 {
			straggler.at = a.at
			out = append(out, straggler)
		}
	}
	_, left, right := readWAVBytes(t, recordArrivals(t, t.TempDir(), out))
	checkExact(t, left, right, 0, 0, 75*FrameSamples)
}
