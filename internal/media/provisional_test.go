package media

import (
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
)

var probeReasons = []conversation.Reason{{Kind: conversation.Manual, ID: "agent-7"}}

func TestWithdrawnPauseLosesNoAudio(t *testing.T) {
	s := newSim(t, Config{})
	s.run(time.Second, nil)
	s.call.anticipate(rec, at(time.Second), probeReasons, "t1")
	if st := s.call.State(rec); st != conversation.Paused {
		t.Fatalf("recording = %s after the pause was anticipated", st)
	}
	s.run(1500*time.Millisecond, nil)
	s.call.withdraw(rec, "t1")
	s.run(3*time.Second, nil)
	s.stop()
	left, right := s.wav()
	checkFrames(t, left, right, 0, 150, true)
	if segs := s.segments().Segments; len(segs) != 1 || segs[0].State != SegmentRecorded {
		t.Fatalf("segments = %+v, want one recorded span", segs)
	}
}

func TestConfirmedPauseKeepsItsEarlyGate(t *testing.T) {
	s := newSim(t, Config{})
	s.run(time.Second, nil)
	s.call.anticipate(rec, at(time.Second), probeReasons, "t1")
	closed := s.now()
	s.run(1200*time.Millisecond, nil)
	s.pause(rec, at(time.Second))
	// The pause is confirmed: withdrawing its transaction now changes nothing.
	s.call.withdraw(rec, "t1")
	s.run(2*time.Second, func(now time.Time) {
		if now == at(1800*time.Millisecond) {
			s.resume(rec, now)
		}
	})
	s.stop()
	left, right := s.wav()
	checkFrames(t, left, right, 0, 50, true)
	checkFrames(t, left, right, 50, 90, false)
	checkFrames(t, left, right, 90, 100, true)
	segs := s.segments().Segments
	if len(segs) != 3 || segs[1].State != SegmentPaused {
		t.Fatalf("segments = %+v, want recorded, paused, recorded", segs)
	}
	if got, _ := time.Parse(time.RFC3339Nano, segs[1].GateClosedAt); !got.Equal(closed) {
		t.Fatalf("gate closed at %s, want %s, when the pause was anticipated", segs[1].GateClosedAt, closed)
	}
}

func TestWithdrawLeavesOtherPausesShut(t *testing.T) {
	s := newSim(t, Config{})
	s.run(time.Second, nil)
	s.pause(rec, at(time.Second))
	// Already shut: the anticipated pause adds nothing to withdraw.
	s.call.anticipate(rec, at(1200*time.Millisecond), probeReasons, "t2")
	s.call.withdraw(rec, "t2")
	if st := s.call.State(rec); st != conversation.Paused {
		t.Fatalf("recording = %s after withdrawing a pause anticipated on a shut gate", st)
	}
	// A resume and a new pause arrive after an anticipated one: its
	// withdrawal must not undo them.
	s.run(1400*time.Millisecond, nil)
	s.resume(rec, at(1400*time.Millisecond))
	s.run(1500*time.Millisecond, nil)
	s.call.anticipate(rec, at(1500*time.Millisecond), probeReasons, "t3")
	s.pause(rec, at(1500*time.Millisecond))
	s.call.withdraw(rec, "t3")
	if st := s.call.State(rec); st != conversation.Paused {
		t.Fatalf("recording = %s after withdrawing a confirmed pause", st)
	}
	s.run(2*time.Second, nil)
	s.stop()
	left, right := s.wav()
	checkFrames(t, left, right, 0, 50, true)
	checkFrames(t, left, right, 50, 70, false)
	checkFrames(t, left, right, 70, 75, true)
	checkFrames(t, left, right, 75, 100, false)
}
