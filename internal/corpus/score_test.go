package corpus

import (
	"testing"
	"time"
)

// recordAs makes what a recorder would keep of c: the caller's audio
// starting offset samples into the WAV, with [from, to) of the call
// silenced by a pause.
func recordAs(c Call, offset, from, to int64, kinds ...string) Recorded {
	wav := make([]int16, int64(len(c.Caller))+offset)
	copy(wav[offset:], c.Caller)
	var paused []PausedSpan
	if to > from {
		clear(wav[from+offset : to+offset])
		paused = append(paused, PausedSpan{Start: from + offset, End: to + offset, Kinds: kinds})
	}
	return Recorded{Caller: wav, Paused: paused}
}

func TestScoreLeakAndFalsePauses(t *testing.T) {
	c := build(t, Condition{Mode: Spoken, Voice: "en-us", Speed: 160}, 11)
	var card Span
	for _, sp := range c.Spans {
		if sp.Kind == SpanCard {
			card = sp
		}
	}
	o := Scoring{Guard: 300 * time.Millisecond, Quiet: 4 * time.Second}

	all := ScoreCall(c, recordAs(c, 4000, 0, 0), o)
	if all.Offset != 4000 {
		t.Fatalf("offset %d, want 4000", all.Offset)
	}
	if all.CardFrames == 0 || all.LeakedFrames != all.CardFrames {
		t.Fatalf("nothing paused: leaked %d of %d frames", all.LeakedFrames, all.CardFrames)
	}

	covered := ScoreCall(c, recordAs(c, 4000, card.Start-2400, card.End+8000, "auto"), o)
	if covered.LeakedFrames != 0 || covered.FalsePause != 0 {
		t.Fatalf("card covered: leaked %d, false pause %v", covered.LeakedFrames, covered.FalsePause)
	}

	late := ScoreCall(c, recordAs(c, 4000, (card.Start+card.End)/2, card.End, "auto"), o)
	if late.LeakedFrames == 0 || late.LeakedFrames >= late.CardFrames {
		t.Fatalf("half covered: leaked %d of %d", late.LeakedFrames, late.CardFrames)
	}

	// A pause of 2 s far from any digit is 2 s of false pause; a manual
	// pause is not the detector's doing.
	early := ScoreCall(c, recordAs(c, 4000, 2000, 2000+2*Rate, "auto"), o)
	if early.FalsePause != 2*time.Second {
		t.Fatalf("false pause %v, want 2s", early.FalsePause)
	}
	manual := ScoreCall(c, recordAs(c, 4000, 2000, 2000+2*Rate, "manual"), o)
	if manual.FalsePause != 0 {
		t.Fatalf("manual pause counted as false: %v", manual.FalsePause)
	}
}
